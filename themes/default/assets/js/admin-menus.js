// Menus: an administrator's overlay on each entry (label per language, order, hidden). A PUT
// replaces the whole overlay, so every change sends what the overlay holds besides it.
import { api, page } from './lib.js';
import { act, dialog, formValues } from './admin-lib.js';

const box = document.getElementById('menu-error');
const entryOf = (button) => page.entries[button.closest('tr').dataset.key];

/** The entry's overlay with `change` applied, as the PUT body (with the version it was read at). */
function overlayWith(entry, change) {
  const o = entry.overlay || {};
  const body = {};
  if (o.label) body.label = o.label;
  if (o.order !== undefined) body.order = o.order;
  if (o.hidden !== undefined) body.hidden = o.hidden;
  Object.assign(body, change);
  for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
  if (entry.overlay) body.version = entry.overlay.version;
  return body;
}

const put = (entry, change) => api('PUT', `/api/v1/menus/overlays/${encodeURIComponent(entry.key)}`, overlayWith(entry, change));

/** Only the languages that differ from the plugin's label are kept in the overlay. */
function labelChange(entry, typed) {
  const out = {};
  for (const [lang, text] of Object.entries(typed || {})) {
    const v = String(text).trim();
    if (v && v !== entry.declared.label[lang]) out[lang] = v;
  }
  return Object.keys(out).length ? out : null;
}

let editing = null;
const renameDialog = dialog('menu-dialog', async (form) => {
  const v = formValues(form, ['label']);
  const res = await put(editing, { label: labelChange(editing, v.label) });
  if (res.ok) location.reload();
  return res;
});
for (const b of document.querySelectorAll('[data-action="menu-rename"]')) {
  b.addEventListener('click', () => {
    editing = entryOf(b);
    renameDialog.open((form) => {
      form.querySelector('.menu-key').textContent = editing.key;
      for (const lang of ['zh-CN', 'en', 'zh-TW']) form.elements.namedItem(`label.${lang}`).value = editing.label[lang] || '';
    });
  });
}
for (const b of document.querySelectorAll('[data-action="menu-hide"]')) b.addEventListener('click', () => act(box, () => put(entryOf(b), { hidden: true })));
for (const b of document.querySelectorAll('[data-action="menu-show"]')) b.addEventListener('click', () => act(box, () => put(entryOf(b), { hidden: null })));
for (const b of document.querySelectorAll('[data-action="menu-reset"]')) {
  b.addEventListener('click', () => act(box, () => api('DELETE', `/api/v1/menus/overlays/${encodeURIComponent(entryOf(b).key)}`)));
}

/** Swap an entry with its neighbour: one request places all its siblings (the server numbers them 10, 20, 30 …). */
function move(entry, by) {
  const keys = [...entry.siblings];
  const at = keys.indexOf(entry.key);
  const to = at + by;
  if (to < 0 || to >= keys.length) return;
  [keys[at], keys[to]] = [keys[to], keys[at]];
  return act(box, () => api('PUT', '/api/v1/menus/order', { keys }));
}
for (const b of document.querySelectorAll('[data-action="menu-up"]')) b.addEventListener('click', () => move(entryOf(b), -1));
for (const b of document.querySelectorAll('[data-action="menu-down"]')) b.addEventListener('click', () => move(entryOf(b), 1));
