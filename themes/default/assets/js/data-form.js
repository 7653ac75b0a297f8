// Filling in a data form: values gathered by field (and by row of the detail table), computed
// fields, totals and conditions evaluated by the server while typing, errors by field.
import { api, page, problem, t } from './lib.js';
import { enhanceLookups } from './lookup.js';

const form = document.getElementById('data-form');
const formError = document.getElementById('form-error');
const detail = page.detail;
const body = detail ? form.querySelector(`table[data-detail="${CSS.escape(detail.name)}"] tbody`) : null;
let dirty = false;
let leaving = false;

const pad = (n) => String(n).padStart(2, '0');
function localInputs(root) {
  for (const input of root.querySelectorAll('input[type=datetime-local][data-iso]')) {
    const d = input.dataset.iso ? new Date(input.dataset.iso) : null;
    if (d && !Number.isNaN(d.getTime())) input.value = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
}
localInputs(form);

function read(c) {
  if (c.type === 'checkbox') return c.checked;
  if (c.type === 'number') return c.value === '' ? null : Number(c.value);
  if (c.type === 'datetime-local') return c.value === '' ? null : new Date(c.value).toISOString();
  if (c.tagName === 'SELECT' && c.multiple) return [...c.selectedOptions].map((o) => o.value);
  if (c.type === 'hidden' && c.closest('.lookup')) return c.value === '' ? null : Number(c.value);
  if (c.type === 'hidden' && c.closest('.file-field')) return c.value === '' ? null : JSON.parse(c.value);
  return c.value === '' ? null : c.value;
}

function write(c, v) {
  if (c.type === 'checkbox') c.checked = v === true;
  else if (c.tagName === 'SELECT' && c.multiple) for (const o of c.options) o.selected = Array.isArray(v) && v.includes(o.value);
  else c.value = v === null || v === undefined ? '' : String(v);
}

const headerControls = () => [...form.querySelectorAll('[data-name]')].filter((c) => !c.closest('.detail-table') && !c.closest('template'));
const rows = () => (body ? [...body.querySelectorAll('tr')] : []);

/** The submission as the API takes it. */
function collect(forSave) {
  const data = {};
  for (const c of headerControls()) {
    if (forSave && (c.readOnly || c.disabled) && c.closest('.computed')) continue;
    if (forSave && c.closest('[data-conditional]')?.hidden) continue;
    data[c.dataset.name] = read(c);
  }
  if (detail) {
    data[detail.name] = rows().map((tr) => {
      const row = {};
      if (tr.dataset.rowId) row.id = Number(tr.dataset.rowId);
      for (const c of tr.querySelectorAll('[data-name]')) if (!(forSave && c.readOnly)) row[c.dataset.name] = read(c);
      return row;
    });
  }
  return data;
}

function showErrors(errors, fallback) {
  for (const p of form.querySelectorAll('.field-error')) p.hidden = true;
  for (const f of form.querySelectorAll('.invalid')) f.classList.remove('invalid');
  let placed = 0;
  for (const e of errors || []) {
    const path = String(e.field || '');
    const m = /^(\w+)\[(\d+)\]\.(\w+)/.exec(path);
    if (m && detail && m[1] === detail.name) {
      const cell = rows()[Number(m[2])]?.querySelector(`td[data-col="${CSS.escape(m[3])}"]`);
      if (cell) {
        cell.classList.add('invalid');
        cell.title = e.message;
      }
      const p = document.getElementById(`err-${detail.name}`);
      p.textContent = `${Number(m[2]) + 1}: ${e.message}`;
      p.hidden = false;
      placed++;
      continue;
    }
    const name = path.split(/[.[]/)[0];
    const p = document.getElementById(`err-${name}`);
    if (p) {
      p.textContent = e.message;
      p.hidden = false;
      p.closest('.form-field')?.classList.add('invalid');
      placed++;
    }
  }
  formError.textContent = placed && placed === (errors || []).length ? t('form.fix') : fallback;
  formError.hidden = false;
}

/** Ask the server what the form computes now: formulas, totals, what is shown. */
let evaluating = 0;
async function evaluate() {
  const ticket = ++evaluating;
  const res = await api('POST', `/api/v1/forms/${page.code}/evaluate`, { data: collect(false) });
  if (ticket !== evaluating || !res.ok) return;
  const { data, totals } = res.body;
  for (const c of headerControls()) {
    const field = c.closest('.form-field');
    if (field?.classList.contains('computed') && c.dataset.name in data) write(c, data[c.dataset.name]);
  }
  // A field with a condition is shown when the server keeps it.
  for (const box of form.querySelectorAll('[data-conditional]')) box.hidden = !(box.dataset.field in data);
  if (detail && Array.isArray(data[detail.name])) {
    data[detail.name].forEach((row, i) => {
      const tr = rows()[i];
      if (!tr) return;
      for (const c of tr.querySelectorAll('[data-name][readonly]')) if (c.dataset.name in row) write(c, row[c.dataset.name]);
    });
  }
  for (const cell of form.querySelectorAll('[data-total]')) {
    const v = totals ? totals[cell.dataset.total] : undefined;
    cell.textContent = v === undefined || v === null ? '' : String(v);
  }
}
let timer = 0;
const soon = () => {
  clearTimeout(timer);
  timer = setTimeout(evaluate, 250);
};

form.addEventListener('input', () => {
  dirty = true;
  soon();
});
form.addEventListener('change', () => {
  dirty = true;
  soon();
});

form.querySelector('[data-action="add-row"]')?.addEventListener('click', () => {
  if (rows().length >= detail.maxRows) return;
  const row = document.getElementById('detail-row').content.firstElementChild.cloneNode(true);
  body.append(row);
  enhanceLookups(row);
  dirty = true;
  soon();
  row.querySelector('input:not([readonly]), select')?.focus();
});
form.addEventListener('click', (e) => {
  const remove = e.target.closest('[data-action="remove-row"]');
  if (!remove) return;
  remove.closest('tr').remove();
  dirty = true;
  soon();
});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  formError.hidden = true;
  const data = collect(true);
  const button = form.querySelector('[type=submit]');
  button.disabled = true;
  try {
    // Where the submission goes: a data form's records, or a flow to start (the data wrapped).
    const { method, url, version, wrap, extra, then } = page.submit;
    // Other scripts of the page may add to a wrapped request (the flow start page: handlers or route).
    const more = new CustomEvent('collect-extra', { detail: {} });
    form.dispatchEvent(more);
    const payload = wrap ? { ...(extra || {}), ...more.detail, [wrap]: data } : version ? { ...data, version } : data;
    const res = await api(method, url, payload);
    if (res.ok) {
      dirty = false;
      leaving = true;
      location.href = then.replace(':id', String(res.body.id));
      return;
    }
    if (res.status === 409 && String(res.body?.type || '').endsWith('stale-version')) {
      document.getElementById('conflict').hidden = false;
      return;
    }
    showErrors(res.body && res.body.errors, problem(res));
    form.dispatchEvent(new CustomEvent('submit-errors', { detail: (res.body && res.body.errors) || [] }));
  } finally {
    button.disabled = false;
  }
});
document.querySelector('[data-action="conflict-reload"]')?.addEventListener('click', () => {
  leaving = true;
  location.reload();
});
window.addEventListener('beforeunload', (e) => {
  if (dirty && !leaving) {
    e.preventDefault();
    e.returnValue = '';
  }
});
evaluate();
