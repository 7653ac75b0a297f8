// A record's page: tabs load their content (related lists, history) when first opened; delete.
import { api, page, problem, t, toast } from './lib.js';

const other = document.querySelector('[data-panel="other"]');
const details = document.querySelector('[data-panel="details"]');
const attachments = document.querySelector('[data-panel="attachments"]');
const tabs = [...document.querySelectorAll('.tabs [data-tab]')];

async function open(tab) {
  tabs.forEach((b) => b.setAttribute('aria-selected', String(b === tab)));
  const key = tab.dataset.tab;
  details.hidden = key !== 'details';
  if (attachments) attachments.hidden = key !== 'attachments';
  if (key === 'details' || key === 'attachments') {
    other.hidden = true;
    return;
  }
  other.hidden = false;
  other.textContent = t('record.loading');
  const path = key === 'history' ? 'history' : `related/${encodeURIComponent(key.slice('related:'.length))}`;
  const res = await fetch(`/app/${page.plural}/${page.id}/tabs/${path}`, { credentials: 'same-origin' });
  // The fragment is rendered (and escaped) by the server's templates.
  other.innerHTML = res.ok ? await res.text() : '';
  if (!res.ok) other.textContent = `HTTP ${res.status}`;
}
tabs.forEach((b) => b.addEventListener('click', () => open(b)));
const wanted = new URLSearchParams(location.search).get('tab');
const initial = wanted && tabs.find((b) => b.dataset.tab === wanted);
if (initial) open(initial);

document.querySelector('[data-action="delete"]')?.addEventListener('click', async () => {
  if (!confirm(t('common.confirmDelete'))) return;
  const res = await api('DELETE', `/api/v1/${page.plural}/${page.id}`, undefined, { 'If-Match': `"${page.version}"` });
  if (res.ok) location.href = `/app/${page.plural}`;
  else toast(t('common.failed', { message: problem(res) }));
});
