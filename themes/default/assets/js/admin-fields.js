// Custom fields of one entity: add, change, remove, restore, purge; overlays on plugin fields; order.
import { api, el, page, t } from './lib.js';
import { act, dialog, formatOptions, formValues, i18nOrNull, parseOptions } from './admin-lib.js';

const base = `/api/v1/meta/entities/${encodeURIComponent(page.entity)}`;
const error = document.getElementById('fields-error');
const nameOf = (button) => button.closest('tr').dataset.field;

// ---- order: one change per move, the server writes only what moves ----
function move(name, by) {
  const order = [...page.order];
  const at = order.indexOf(name);
  const to = at + by;
  if (at < 0 || to < 0 || to >= order.length) return;
  [order[at], order[to]] = [order[to], order[at]];
  return act(error, () => api('PUT', `${base}/field-order`, { fields: order }));
}
for (const b of document.querySelectorAll('[data-action="move-up"]')) b.addEventListener('click', () => move(nameOf(b), -1));
for (const b of document.querySelectorAll('[data-action="move-down"]')) b.addEventListener('click', () => move(nameOf(b), 1));

// ---- custom fields ----
const NUMERIC = ['integer', 'number', 'money'];
const EDITABLE = ['label', 'help', 'required', 'unique', 'indexed', 'default', 'maxLength', 'pattern', 'min', 'max', 'scale', 'dictionary', 'options', 'target', 'accept'];

function showTypeInputs(form) {
  const type = form.type.value;
  for (const f of form.querySelectorAll('[data-types]')) f.hidden = !f.dataset.types.split(' ').includes(type);
}

function defaultValue(raw, type) {
  if (raw === null) return null;
  if (NUMERIC.includes(type)) return Number.isNaN(Number(raw)) ? raw : Number(raw);
  if (type === 'boolean') return raw === 'true' || raw === '1' || raw === t('value.yes');
  if (type === 'multiChoice') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  return raw;
}

/** The spec the dialog describes; only what applies to the type. */
function specOf(form) {
  const v = formValues(form, ['name', 'type', 'label', 'help', 'default', 'maxLength', 'pattern', 'min', 'max', 'scale', 'dictionary', 'options', 'target', 'accept', 'required', 'unique', 'indexed']);
  const type = v.type;
  const applies = (name) => {
    const box = form.querySelector(`[data-field="${name}"][data-types]`);
    return !box || box.dataset.types.split(' ').includes(type);
  };
  const spec = { name: v.name, type, label: i18nOrNull(v.label) };
  const help = i18nOrNull(v.help);
  if (help) spec.help = help;
  for (const k of ['required', 'unique', 'indexed']) if (v[k]) spec[k] = true;
  if (v.default !== null) spec.default = defaultValue(v.default, type);
  for (const k of ['maxLength', 'scale', 'pattern', 'target']) if (applies(k) && v[k] !== null) spec[k] = v[k];
  for (const k of ['min', 'max']) if (applies(k) && v[k] !== null) spec[k] = NUMERIC.includes(type) ? Number(v[k]) : v[k];
  if (applies('dictionary') && v.dictionary) spec.dictionary = v.dictionary;
  else if (applies('options') && v.options) spec.options = parseOptions(v.options);
  if (applies('accept') && v.accept) spec.accept = v.accept.split(',').map((s) => s.trim()).filter(Boolean);
  return spec;
}

let editing = null;
const fieldDialog = dialog('field-dialog', async (form) => {
  const spec = specOf(form);
  if (!editing) {
    const res = await api('POST', `${base}/custom-fields`, spec);
    if (res.ok) location.reload();
    return res;
  }
  // A change sends every property that applies; one cleared since is sent as null (dropped).
  const before = page.custom[editing];
  const body = { version: before.version };
  for (const k of EDITABLE) {
    if (spec[k] !== undefined) body[k] = spec[k];
    else if (before[k] !== undefined) body[k] = null;
  }
  const res = await api('PATCH', `${base}/custom-fields/${encodeURIComponent(editing)}`, body);
  if (res.ok) location.reload();
  return res;
});
fieldDialog?.form.type.addEventListener('change', () => showTypeInputs(fieldDialog.form));

document.querySelector('[data-action="new-field"]')?.addEventListener('click', () => {
  editing = null;
  fieldDialog.open((form) => {
    form.querySelector('.dialog-title').textContent = t('admin.fields.new');
    form.name.readOnly = false;
    form.type.disabled = false;
    showTypeInputs(form);
  });
});
for (const b of document.querySelectorAll('[data-action="edit-field"]')) {
  b.addEventListener('click', () => {
    editing = nameOf(b);
    const spec = page.custom[editing];
    fieldDialog.open((form) => {
      form.querySelector('.dialog-title').textContent = `${t('common.edit')}: ${spec.name}`;
      form.name.value = spec.name;
      form.name.readOnly = true;
      form.type.value = spec.type;
      form.type.disabled = true;
      for (const lang of ['zh-CN', 'en', 'zh-TW']) {
        form[`label.${lang}`].value = spec.label?.[lang] ?? '';
        if (form[`help.${lang}`]) form[`help.${lang}`].value = spec.help?.[lang] ?? '';
      }
      for (const k of ['maxLength', 'pattern', 'min', 'max', 'scale', 'dictionary', 'target']) if (spec[k] !== undefined) form[k].value = String(spec[k]);
      if (spec.default !== undefined) form.default.value = Array.isArray(spec.default) ? spec.default.join(', ') : String(spec.default);
      form.options.value = formatOptions(spec.options);
      form.accept.value = (spec.accept || []).join(', ');
      for (const k of ['required', 'unique', 'indexed']) form[k].checked = spec[k] === true;
      showTypeInputs(form);
    });
  });
}
for (const b of document.querySelectorAll('[data-action="remove-field"]')) {
  b.addEventListener('click', () => {
    if (!confirm(t('admin.fields.confirmRemove'))) return;
    const f = page.custom[nameOf(b)];
    act(error, () => api('DELETE', `${base}/custom-fields/${encodeURIComponent(f.name)}?version=${f.version}`));
  });
}
for (const b of document.querySelectorAll('[data-action="restore-field"]')) {
  b.addEventListener('click', () => {
    const f = page.custom[nameOf(b)];
    act(error, () => api('POST', `${base}/custom-fields/${encodeURIComponent(f.name)}/restore?version=${f.version}`));
  });
}
for (const b of document.querySelectorAll('[data-action="purge-field"]')) {
  b.addEventListener('click', () => {
    if (!confirm(t('admin.fields.confirmPurge'))) return;
    act(error, () => api('POST', `${base}/custom-fields/${encodeURIComponent(nameOf(b))}/purge`));
  });
}

// ---- overlays on plugin and system fields ----
let overlayField = null;
const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const overlayDialog = dialog('overlay-dialog', async (form) => {
  const declared = page.fields[overlayField];
  const current = page.overlays[overlayField];
  const v = formValues(form, ['label', 'help', 'required', 'hidden']);
  const overlay = {};
  const label = i18nOrNull(v.label);
  if (label && !same(label, declared.label)) overlay.label = label;
  const help = i18nOrNull(v.help);
  if (help && !same(help, declared.help)) overlay.help = help;
  if (!declared.system && v.required !== declared.required) overlay.required = v.required;
  if (v.hidden) overlay.hidden = true;
  else if (current?.overlay.hidden) overlay.hidden = false;
  if (current?.overlay.order !== undefined) overlay.order = current.overlay.order;
  if (declared.values) {
    const values = [];
    for (const row of form.querySelectorAll('.overlay-values tbody tr')) {
      if (!row.querySelector('input[type=checkbox]').checked) continue;
      const labels = {};
      for (const input of row.querySelectorAll('input[data-lang]')) if (input.value.trim()) labels[input.dataset.lang] = input.value.trim();
      values.push({ value: row.dataset.value, label: labels });
    }
    if (!same(values, declared.values)) overlay.values = values;
  }
  const path = `${base}/fields/${encodeURIComponent(overlayField)}/overlay`;
  const res = Object.keys(overlay).length ? await api('PUT', path, { ...overlay, ...(current ? { version: current.version } : {}) }) : current ? await api('DELETE', path) : { ok: true };
  if (res.ok) location.reload();
  return res;
});
for (const b of document.querySelectorAll('[data-action="edit-overlay"]')) {
  b.addEventListener('click', () => {
    overlayField = nameOf(b);
    const declared = page.fields[overlayField];
    const overlay = page.overlays[overlayField]?.overlay || {};
    overlayDialog.open((form) => {
      form.querySelector('.overlay-name').textContent = overlayField;
      const label = overlay.label || declared.label || {};
      const help = overlay.help || declared.help || {};
      for (const lang of ['zh-CN', 'en', 'zh-TW']) form[`label.${lang}`].value = label[lang] ?? '';
      for (const lang of ['zh-CN', 'en']) form[`help.${lang}`].value = help[lang] ?? '';
      form.required.checked = overlay.required ?? declared.required;
      form.querySelector('.overlay-required').hidden = declared.system;
      form.hidden.checked = overlay.hidden === true;
      const box = form.querySelector('.overlay-values');
      box.hidden = !declared.values;
      const body = box.querySelector('tbody');
      body.replaceChildren();
      const chosen = new Map((overlay.values || declared.values || []).map((o) => [o.value, o]));
      for (const option of declared.values || []) {
        const shown = chosen.get(option.value);
        const labels = (shown || option).label;
        body.append(
          el(
            'tr',
            { 'data-value': option.value },
            el('td', {}, el('label', { class: 'inline' }, el('input', { type: 'checkbox', checked: Boolean(shown) }), el('code', { text: option.value }))),
            ...['zh-CN', 'en', 'zh-TW'].map((lang) => el('td', {}, el('input', { 'data-lang': lang, value: labels[lang] ?? '', 'aria-label': `${option.value} ${lang}` }))),
          ),
        );
      }
    });
  });
}
for (const b of document.querySelectorAll('[data-action="reset-overlay"]')) {
  b.addEventListener('click', () => act(error, () => api('DELETE', `${base}/fields/${encodeURIComponent(nameOf(b))}/overlay`)));
}
