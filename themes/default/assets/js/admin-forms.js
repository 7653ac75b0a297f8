// The form list: create (blank or from a template), switch on and off, copy, delete.
import { api, page, t } from './lib.js';
import { act, dialog, formValues, i18nOrNull } from './admin-lib.js';

const error = document.getElementById('forms-error');
const formOf = (b) => page.forms.find((f) => f.code === b.closest('tr').dataset.form);

const create = dialog('form-dialog', async (form) => {
  const v = formValues(form, ['code', 'kind', 'template', 'label']);
  const label = i18nOrNull(v.label);
  const res = v.template
    ? await api('POST', '/api/v1/forms/from-template', { template: v.template, code: v.code, kind: v.kind, label })
    : await api('POST', '/api/v1/forms', { code: v.code, kind: v.kind, label, fields: [{ name: 'title', type: 'string', label: { 'zh-CN': '标题', en: 'Title', 'zh-TW': '標題' }, required: true }] });
  if (res.ok) location.href = `/admin/forms/${encodeURIComponent(res.body.code)}`;
  return res;
});
document.querySelector('[data-action="new-form"]')?.addEventListener('click', () => create.open());

for (const b of document.querySelectorAll('[data-action="form-disable"], [data-action="form-enable"]')) {
  b.addEventListener('click', () => act(error, () => api('POST', `/api/v1/forms/${encodeURIComponent(formOf(b).code)}/${b.dataset.action === 'form-disable' ? 'disable' : 'enable'}`)));
}
for (const b of document.querySelectorAll('[data-action="form-copy"]')) {
  b.addEventListener('click', () => {
    const code = prompt(t('admin.forms.copyCode'));
    if (!code) return;
    act(error, () => api('POST', `/api/v1/forms/${encodeURIComponent(formOf(b).code)}/copy`, { code: code.trim() }), (res) => (location.href = `/admin/forms/${encodeURIComponent(res.body.code)}`));
  });
}
for (const b of document.querySelectorAll('[data-action="form-delete"]')) {
  b.addEventListener('click', () => {
    if (!confirm(t('admin.forms.confirmDelete'))) return;
    const f = formOf(b);
    act(error, () => api('DELETE', `/api/v1/forms/${encodeURIComponent(f.code)}`, undefined, { 'If-Match': `"${f.version}"` }));
  });
}
