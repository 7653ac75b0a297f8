// Related tabs of an entity: administrators add a tab (target entity and reference field,
// label, order) or remove one of theirs; the plugins' tabs are shown read-only.
import { api, page, t } from './lib.js';
import { act, dialog, formValues, i18nOrNull } from './admin-lib.js';

const box = document.getElementById('related-error');
document.querySelector('[data-action="pick-entity"]')?.addEventListener('change', (e) => e.target.form.submit());

const tabDialog = dialog('tab-dialog', async (form) => {
  const v = formValues(form, ['pair', 'key', 'label', 'order']);
  const [target, foreignKey] = String(v.pair || '').split('|');
  const res = await api('POST', '/api/v1/relatedTabs', { entity: page.entity, key: v.key, target, foreignKey, label: i18nOrNull(v.label), order: v.order ?? page.nextOrder });
  if (res.ok) location.reload();
  return res;
});
document.querySelector('[data-action="new-tab"]')?.addEventListener('click', () =>
  tabDialog.open((form) => {
    form.order.value = String(page.nextOrder);
  }),
);
for (const b of document.querySelectorAll('[data-action="delete-tab"]')) {
  b.addEventListener('click', () => {
    if (!confirm(t('common.confirmDelete'))) return;
    const tab = page.tabs.find((x) => x.id === Number(b.dataset.id));
    act(box, () => api('DELETE', `/api/v1/relatedTabs/${tab.id}`, undefined, tab.version ? { 'If-Match': `"${tab.version}"` } : {}));
  });
}
