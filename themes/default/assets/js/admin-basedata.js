// Dictionaries and their items; category trees and their attributes.
import { api, page, t } from './lib.js';
import { act, clearProblem, dialog, fillI18n, formatOptions, formValues, i18nOrNull, parseOptions, showForType, showProblem } from './admin-lib.js';

const num = (v) => (v === null || v === undefined || v === '' ? null : Number(v));

// ---- dictionaries ----
const dictionaryDialog = dialog('dictionary-dialog', async (form) => {
  const v = formValues(form, ['code', 'label', 'description', 'enabled']);
  const body = { code: v.code, label: i18nOrNull(v.label), description: v.description };
  if (page.dictionary) {
    const res = await api('PATCH', `/api/v1/dictionaries/${page.dictionary.id}`, { ...body, enabled: v.enabled, version: page.dictionary.version });
    if (res.ok) location.reload();
    return res;
  }
  const res = await api('POST', '/api/v1/dictionaries', body);
  if (res.ok) location.href = `/admin/dictionaries/${res.body.id}`;
  return res;
});
document.querySelector('[data-action="new-dictionary"]')?.addEventListener('click', () => dictionaryDialog.open());
document.querySelector('[data-action="edit-dictionary"]')?.addEventListener('click', () =>
  dictionaryDialog.open((form) => {
    const d = page.dictionary;
    form.code.value = d.code;
    fillI18n(form, 'label', d.label);
    form.description.value = d.description;
    form.enabled.checked = d.enabled;
  }),
);
const dictionaryError = document.getElementById('dictionary-error');
document.querySelector('[data-action="delete-dictionary"]')?.addEventListener('click', () => {
  if (!confirm(t('common.confirmDelete'))) return;
  act(dictionaryError, () => api('DELETE', `/api/v1/dictionaries/${page.dictionary.id}`, undefined, { 'If-Match': `"${page.dictionary.version}"` }), () => (location.href = '/admin/dictionaries'));
});

const itemOf = (button) => page.items.find((i) => i.id === Number(button.closest('tr').dataset.item));
let editingItem = null;
const itemDialog = dialog('item-dialog', async (form) => {
  const v = formValues(form, ['code', 'label', 'parent', 'sortOrder', 'color', 'enabled']);
  const body = { code: v.code, label: i18nOrNull(v.label), parent: num(v.parent), sortOrder: v.sortOrder ?? 0, color: v.color, enabled: v.enabled };
  const res = editingItem
    ? await api('PATCH', `/api/v1/dictionaryItems/${editingItem.id}`, { ...body, version: editingItem.version })
    : await api('POST', '/api/v1/dictionaryItems', { ...body, dictionary: page.dictionary.id });
  if (res.ok) location.reload();
  return res;
});
document.querySelector('[data-action="new-item"]')?.addEventListener('click', () => {
  editingItem = null;
  const next = page.items.reduce((m, i) => Math.max(m, i.sortOrder), 0) + 10;
  itemDialog.open((form) => {
    form.sortOrder.value = String(next);
    for (const o of form.parent.options) o.disabled = false;
  });
});
for (const b of document.querySelectorAll('[data-action="edit-item"]')) {
  b.addEventListener('click', () => {
    editingItem = itemOf(b);
    itemDialog.open((form) => {
      form.code.value = editingItem.code;
      fillI18n(form, 'label', editingItem.label);
      form.parent.value = editingItem.parent ?? '';
      for (const o of form.parent.options) o.disabled = Number(o.value) === editingItem.id;
      form.sortOrder.value = String(editingItem.sortOrder);
      form.color.value = editingItem.color;
      form.enabled.checked = editingItem.enabled;
    });
  });
}
for (const b of document.querySelectorAll('[data-action="delete-item"]')) {
  b.addEventListener('click', () => {
    if (!confirm(t('common.confirmDelete'))) return;
    const item = itemOf(b);
    act(dictionaryError, () => api('DELETE', `/api/v1/dictionaryItems/${item.id}`, undefined, { 'If-Match': `"${item.version}"` }));
  });
}
/** Move an item: the items are numbered 10, 20, 30 … in the new order, in one transaction. */
function moveItem(item, by) {
  const order = [...page.items];
  const at = order.indexOf(item);
  const to = at + by;
  if (to < 0 || to >= order.length) return;
  [order[at], order[to]] = [order[to], order[at]];
  const update = order.map((x, i) => ({ id: x.id, version: x.version, sortOrder: (i + 1) * 10 })).filter((u) => page.items.find((x) => x.id === u.id).sortOrder !== u.sortOrder);
  act(dictionaryError, () => api('POST', '/api/v1/dictionaryItems/bulk', { update }));
}
for (const b of document.querySelectorAll('[data-action="item-up"]')) b.addEventListener('click', () => moveItem(itemOf(b), -1));
for (const b of document.querySelectorAll('[data-action="item-down"]')) b.addEventListener('click', () => moveItem(itemOf(b), 1));

// ---- categories ----
const categoryForm = document.getElementById('category-form');
const categoryError = document.getElementById('category-error');
if (categoryForm && page.category) fillI18n(categoryForm, 'label', page.category.label);
categoryForm?.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!categoryForm.reportValidity()) return;
  clearProblem(categoryError, categoryForm);
  const v = formValues(categoryForm, ['code', 'label', 'parent', 'sortOrder', 'enabled', 'description']);
  const res = await api('PATCH', `/api/v1/categories/${page.category.id}`, { ...v, label: i18nOrNull(v.label), parent: num(v.parent), sortOrder: v.sortOrder ?? 0, version: page.category.version });
  if (!res.ok) return showProblem(categoryError, res, categoryForm);
  location.reload();
});
document.querySelector('[data-action="delete-category"]')?.addEventListener('click', () => {
  if (!confirm(t('common.confirmDelete'))) return;
  act(categoryError, () => api('DELETE', `/api/v1/categories/${page.category.id}`, undefined, { 'If-Match': `"${page.category.version}"` }), () => (location.href = `/admin/categories?kind=${encodeURIComponent(page.category.kind)}`));
});
const categoryDialog = dialog('category-dialog', async (form) => {
  const v = formValues(form, ['kind', 'code', 'label', 'parent']);
  const res = await api('POST', '/api/v1/categories', { ...v, label: i18nOrNull(v.label), parent: num(v.parent) });
  if (res.ok) location.href = `/admin/categories?category=${res.body.id}`;
  return res;
});
for (const b of document.querySelectorAll('[data-action="new-category"]')) {
  b.addEventListener('click', () =>
    categoryDialog.open((form) => {
      form.parent.value = b.dataset.parent || '';
      // A subcategory belongs to its parent's tree.
      form.kind.readOnly = Boolean(b.dataset.parent);
      if (b.dataset.parent && page.category) form.kind.value = page.category.kind;
    }),
  );
}

const attributeError = document.getElementById('attribute-error');
const attributeOf = (button) => page.attributes.find((a) => a.id === Number(button.closest('tr').dataset.attribute));
let editingAttribute = null;
const attributeDialog = dialog('attribute-dialog', async (form) => {
  const v = formValues(form, ['name', 'type', 'label', 'dictionary', 'options', 'sortOrder', 'required']);
  const body = { name: v.name, type: v.type, label: i18nOrNull(v.label), required: v.required, sortOrder: v.sortOrder ?? 0, dictionary: null, options: null };
  if (v.type === 'enum') {
    if (v.dictionary) body.dictionary = v.dictionary;
    else body.options = v.options ? parseOptions(v.options) : null;
  }
  const res = editingAttribute
    ? await api('PATCH', `/api/v1/categoryAttributes/${editingAttribute.id}`, { ...body, version: editingAttribute.version })
    : await api('POST', '/api/v1/categoryAttributes', { ...body, category: page.category.id });
  if (res.ok) location.reload();
  return res;
});
attributeDialog?.form.type.addEventListener('change', () => showForType(attributeDialog.form, attributeDialog.form.type.value));
document.querySelector('[data-action="new-attribute"]')?.addEventListener('click', () => {
  editingAttribute = null;
  attributeDialog.open((form) => showForType(form, form.type.value));
});
for (const b of document.querySelectorAll('[data-action="edit-attribute"]')) {
  b.addEventListener('click', () => {
    editingAttribute = attributeOf(b);
    const a = editingAttribute;
    attributeDialog.open((form) => {
      form.name.value = a.name;
      form.type.value = a.type;
      fillI18n(form, 'label', a.label);
      form.dictionary.value = a.dictionary ?? '';
      form.options.value = formatOptions(a.options);
      form.sortOrder.value = String(a.sortOrder);
      form.required.checked = a.required;
      showForType(form, a.type);
    });
  });
}
for (const b of document.querySelectorAll('[data-action="delete-attribute"]')) {
  b.addEventListener('click', () => {
    if (!confirm(t('common.confirmDelete'))) return;
    const a = attributeOf(b);
    act(attributeError, () => api('DELETE', `/api/v1/categoryAttributes/${a.id}`, undefined, { 'If-Match': `"${a.version}"` }));
  });
}
