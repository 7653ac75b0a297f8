// Create/edit form of any entity: values typed by field, browser hints first, the server's
// errors next to each field, optimistic-lock conflicts with reload/overwrite, an
// unsaved-changes guard, file uploads, reference look-ups.
import { api, el, page, problem, t } from './lib.js';

const form = document.getElementById('record-form');
const formError = document.getElementById('form-error');
const conflict = document.getElementById('conflict');
let version = page.version;
let dirty = false;
let leaving = false;

const control = (name) => form.querySelector(`[name="${CSS.escape(name)}"]`);

// datetime-local inputs show the stored instant in the browser's time zone.
const pad = (n) => String(n).padStart(2, '0');
for (const input of form.querySelectorAll('input[type=datetime-local][data-iso]')) {
  const d = input.dataset.iso ? new Date(input.dataset.iso) : null;
  if (d && !Number.isNaN(d.getTime())) input.value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function valueOf(field) {
  const c = control(field.name);
  if (!c) return undefined;
  switch (field.input) {
    case 'checkbox':
      return c.checked;
    case 'number':
      return c.value === '' ? null : Number(c.value);
    case 'reference':
      return c.value === '' ? null : Number(c.value);
    case 'datetime':
      return c.value === '' ? null : new Date(c.value).toISOString();
    case 'select':
      if (field.multiple) return [...c.selectedOptions].map((o) => o.value);
      return c.value === '' ? null : c.value;
    case 'json':
    case 'file': {
      if (c.value.trim() === '') return null;
      try {
        return JSON.parse(c.value);
      } catch {
        return { invalidJson: true };
      }
    }
    default:
      return c.value === '' ? null : c.value;
  }
}

const snapshot = () => Object.fromEntries(page.fields.map((f) => [f.name, valueOf(f)]));
let initial = snapshot();
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function clearErrors() {
  formError.hidden = true;
  for (const p of form.querySelectorAll('.field-error')) p.hidden = true;
  for (const f of form.querySelectorAll('.form-field.invalid')) f.classList.remove('invalid');
}

function fieldError(name, message) {
  const box = form.querySelector(`.form-field[data-field="${CSS.escape(name)}"]`);
  const p = document.getElementById(`err-${name}`);
  if (!box || !p) return false;
  box.classList.add('invalid');
  p.textContent = message;
  p.hidden = false;
  return true;
}

function showErrors(errors, fallback) {
  let placed = 0;
  for (const e of errors || []) {
    const name = String(e.field || '').split(/[.[]/)[0];
    if (fieldError(name, e.message)) placed++;
  }
  formError.textContent = placed && placed === (errors || []).length ? t('form.fix') : fallback;
  formError.hidden = false;
  form.querySelector('.form-field.invalid input, .form-field.invalid select, .form-field.invalid textarea')?.focus();
}

/** Hints the browser can check before asking the server (required, pattern, length, range, JSON). */
function clientCheck(values) {
  const errors = [];
  for (const f of page.fields) {
    const c = control(f.name);
    if (!c || c.disabled || c.readOnly) continue;
    const v = values[f.name];
    if (f.required && (v === null || v === '' || (Array.isArray(v) && v.length === 0))) errors.push({ field: f.name, message: t('form.required') });
    else if (v && typeof v === 'object' && v.invalidJson) errors.push({ field: f.name, message: t('form.json') });
    else if (c.validity && !c.validity.valid && !c.validity.valueMissing) errors.push({ field: f.name, message: c.validationMessage || t('form.invalid') });
  }
  return errors;
}

async function save(overwriteVersion) {
  clearErrors();
  const values = snapshot();
  const hints = clientCheck(values);
  if (hints.length) return showErrors(hints, t('form.fix'));
  const body = {};
  for (const f of page.fields) {
    const c = control(f.name);
    if (!c || c.disabled || c.readOnly) continue;
    if (page.id === null ? values[f.name] !== null && !(Array.isArray(values[f.name]) && values[f.name].length === 0) : !same(values[f.name], initial[f.name])) body[f.name] = values[f.name];
  }
  const button = form.querySelector('[type=submit]');
  button.disabled = true;
  try {
    const res = page.id === null ? await api('POST', `/api/v1/${page.plural}`, body) : await api('PATCH', `/api/v1/${page.plural}/${page.id}`, { ...body, version: overwriteVersion ?? version });
    if (res.ok) {
      dirty = false;
      leaving = true;
      const id = res.body.id;
      location.href = page.id === null && page.back.startsWith(`/app/${page.plural}`) ? `/app/${page.plural}/${id}` : page.back;
      return;
    }
    if (res.status === 409 && res.body && res.body.type && String(res.body.type).endsWith('stale-version')) return showConflict();
    showErrors(res.body && res.body.errors, problem(res));
  } finally {
    button.disabled = false;
  }
}

/** Someone saved first: show what they changed, let the user reload or save over it. */
async function showConflict() {
  const res = await api('GET', `/api/v1/${page.plural}/${page.id}`);
  if (!res.ok) return showErrors([], problem(res));
  const current = res.body;
  const diff = conflict.querySelector('.conflict-diff');
  diff.textContent = '';
  const list = el('ul');
  for (const f of page.fields) {
    const theirs = f.input === 'reference' && current[f.name] && typeof current[f.name] === 'object' ? current[f.name].id : current[f.name];
    if (!same(theirs ?? null, initial[f.name] ?? null)) {
      const label = form.querySelector(`.form-field[data-field="${CSS.escape(f.name)}"] label`)?.textContent?.trim() || f.name;
      list.append(el('li', { text: `${label}: ${JSON.stringify(initial[f.name] ?? null)} → ${JSON.stringify(theirs ?? null)}` }));
    }
  }
  diff.append(list);
  conflict.hidden = false;
  conflict.dataset.version = String(current.version);
}

conflict.querySelector('[data-action="conflict-reload"]').addEventListener('click', () => {
  dirty = false;
  leaving = true;
  location.reload();
});
conflict.querySelector('[data-action="conflict-overwrite"]').addEventListener('click', () => {
  version = Number(conflict.dataset.version);
  conflict.hidden = true;
  save(version);
});

// File fields: upload on choice, keep the file ids in the hidden input.
for (const box of form.querySelectorAll('.file-field')) {
  const hidden = box.querySelector('input[type=hidden]');
  const picker = box.querySelector('input[type=file]');
  const names = box.querySelector('.file-names');
  const multiple = hidden.dataset.multiple === 'true';
  picker.addEventListener('change', async () => {
    const ids = multiple ? JSON.parse(hidden.value || 'null') || [] : [];
    names.textContent = t('form.uploading');
    for (const file of picker.files) {
      const res = await api('POST', '/api/v1/files', file, { 'X-File-Name': encodeURIComponent(file.name), 'Content-Type': file.type || 'application/octet-stream' });
      if (!res.ok) {
        names.textContent = problem(res);
        return;
      }
      ids.push(res.body.id);
    }
    hidden.value = JSON.stringify(multiple ? ids.map((i) => (typeof i === 'object' ? i.id : i)) : ids[ids.length - 1]);
    names.textContent = [...picker.files].map((f) => f.name).join(', ');
    dirty = true;
  });
}

form.addEventListener('input', () => (dirty = true));
form.addEventListener('change', () => (dirty = true));
form.addEventListener('submit', (e) => {
  e.preventDefault();
  save();
});
window.addEventListener('beforeunload', (e) => {
  if (dirty && !leaving) {
    e.preventDefault();
    e.returnValue = '';
  }
});
