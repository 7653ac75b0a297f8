// Shared by the admin screens: problem display (field errors, records in the way), form values, dialogs.
import { api, el, problem, t } from './lib.js';

/** Show a refused request in `box`: its detail and every error with its field, rule and the records in the way. */
export function showProblem(box, res, form) {
  if (form) {
    for (const p of form.querySelectorAll('.field-error')) p.hidden = true;
    for (const f of form.querySelectorAll('.form-field.invalid')) f.classList.remove('invalid');
  }
  box.replaceChildren();
  const errors = (res.body && Array.isArray(res.body.errors) && res.body.errors) || [];
  const placed = new Set();
  if (form) {
    for (const e of errors) {
      const name = String(e.field || '').split(/[.[]/)[0];
      const p = name && form.querySelector(`#err-${CSS.escape(name)}`);
      if (!p) continue;
      p.textContent = e.message || e.rule;
      p.hidden = false;
      p.closest('.form-field')?.classList.add('invalid');
      placed.add(e);
    }
  }
  box.append(el('p', { class: 'problem-title', text: problem(res) }));
  const rest = errors.filter((e) => !placed.has(e));
  if (rest.length) {
    const list = el('ul', { class: 'problem-list' });
    for (const e of rest) {
      const item = el('li', {}, el('code', { text: e.field || '(body)' }), ' ', el('span', { text: e.message || e.rule || '' }));
      if (Array.isArray(e.records) && e.records.length) {
        item.append(el('br'), el('span', { class: 'muted', text: t('admin.records') + ' ' }));
        for (const id of e.records) {
          const href = box.dataset.recordBase ? `${box.dataset.recordBase}/${id}` : null;
          item.append(href ? el('a', { href, text: `#${id}` }) : el('span', { text: `#${id}` }), ' ');
        }
      }
      list.append(item);
    }
    box.append(list);
  }
  box.hidden = false;
}

export function clearProblem(box, form) {
  box.hidden = true;
  box.replaceChildren();
  if (form) for (const p of form.querySelectorAll('.field-error')) p.hidden = true;
}

/** An input's value as the API wants it: numbers as numbers, empty as null, checkboxes as booleans. */
export function valueOf(input) {
  if (input.type === 'checkbox') return input.checked;
  if (input.multiple && input.tagName === 'SELECT') return [...input.selectedOptions].map((o) => o.value);
  const v = input.value.trim();
  if (v === '') return null;
  if (input.type === 'number' || input.dataset.kind === 'id') return Number(v);
  return v;
}

/** The named inputs of a form (or element) as an object; `label.zh-CN` style names nest one level. */
export function formValues(root, names) {
  const out = {};
  for (const input of root.querySelectorAll('[name]')) {
    const name = input.getAttribute('name');
    if (names && !names.includes(name.split('.')[0])) continue;
    if (input.type === 'radio' && !input.checked) continue;
    const value = valueOf(input);
    const dot = name.indexOf('.');
    if (dot > 0) {
      const [outer, inner] = [name.slice(0, dot), name.slice(dot + 1)];
      out[outer] = out[outer] || {};
      if (value !== null) out[outer][inner] = value;
    } else out[name] = value;
  }
  return out;
}

/** Drop empty i18n objects and the optional zh-TW when empty. */
export function i18nOrNull(v) {
  if (!v || typeof v !== 'object') return null;
  const out = {};
  for (const [k, s] of Object.entries(v)) if (typeof s === 'string' && s.trim() !== '') out[k] = s.trim();
  return Object.keys(out).length ? out : null;
}

/**
 * A dialog whose primary button runs `submit(form)`; `submit` resolves to a response
 * ({ok, body, status}) — on failure the dialog stays open with the problem shown.
 */
export function dialog(id, submit) {
  const d = document.getElementById(id);
  if (!d) return null;
  const form = d.querySelector('form');
  const box = d.querySelector('.admin-problem');
  const button = d.querySelector('.dialog-actions .primary');
  button.addEventListener('click', async (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    button.disabled = true;
    try {
      const res = await submit(form);
      if (res && !res.ok) showProblem(box, res, form);
      else if (res !== false) d.close();
    } finally {
      button.disabled = false;
    }
  });
  return {
    el: d,
    form,
    open(fill) {
      form.reset();
      if (box) clearProblem(box, form);
      if (fill) fill(form);
      d.showModal();
    },
  };
}

/** Run `fn` (an API call) from a button; show the problem in `box`, reload the page when it succeeds. */
export async function act(box, fn, after = () => location.reload()) {
  const res = await fn();
  if (res.ok) return after(res);
  showProblem(box, res);
  box.scrollIntoView({ block: 'nearest' });
  return undefined;
}

/**
 * Give a user a role. An assignment removed earlier waits in the recycle bin and still
 * holds its (user, role) pair, so it is restored instead of added twice.
 */
export async function assignRole(user, role) {
  const res = await api('POST', '/api/v1/userRoles', { user, role });
  if (res.status !== 409) return res;
  const old = await api('GET', `/api/v1/userRoles/trash?filter[user]=${user}&filter[role]=${role}&fields=id`);
  const id = old.ok && old.body.data[0]?.id;
  return id ? api('POST', `/api/v1/userRoles/${id}/restore`) : res;
}

/** Options typed one per line, "vip | 贵宾 | VIP | 貴賓" → [{value, label}]. */
export function parseOptions(text) {
  return text
    .split('\n')
    .map((line) => line.split('|').map((s) => s.trim()))
    .filter((parts) => parts[0])
    .map(([value, zh, en, tw]) => ({ value, label: { 'zh-CN': zh || value, en: en || zh || value, ...(tw ? { 'zh-TW': tw } : {}) } }));
}

export const formatOptions = (options) => (options || []).map((o) => [o.value, o.label['zh-CN'], o.label.en, o.label['zh-TW']].filter((x) => x !== undefined).join(' | ')).join('\n');

/** Fill `prefix.zh-CN`, `prefix.en`, `prefix.zh-TW` inputs from an i18n object. */
export function fillI18n(form, prefix, value) {
  for (const lang of ['zh-CN', 'en', 'zh-TW']) {
    const input = form.elements.namedItem(`${prefix}.${lang}`);
    if (input) input.value = (value && value[lang]) || '';
  }
}

/** Show the inputs marked data-types="a b" only for those types. */
export function showForType(form, type) {
  for (const f of form.querySelectorAll('[data-types]')) f.hidden = !f.dataset.types.split(' ').includes(type);
}
