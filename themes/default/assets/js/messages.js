// The messages page: open a message (marked read first), mark one or all read.
import { api, problem, t, toast } from './lib.js';

const read = (id) => api('POST', `/api/v1/me/notifications/${encodeURIComponent(id)}/read`);

document.querySelector('[data-testid=messages]')?.addEventListener('click', async (e) => {
  const target = e.target instanceof Element ? e.target.closest('[data-action]') : null;
  const item = target?.closest('[data-id]');
  if (!target || !item) return;
  if (target.dataset.action === 'open') {
    e.preventDefault();
    if (item.classList.contains('unread')) await read(item.dataset.id);
    location.href = target.getAttribute('href');
    return;
  }
  if (target.dataset.action === 'read') {
    const res = await read(item.dataset.id);
    if (!res.ok) return toast(t('common.failed', { message: problem(res) }));
    item.classList.remove('unread');
    target.remove();
  }
});

document.querySelector('[data-action="read-all"]')?.addEventListener('click', async () => {
  const res = await api('POST', '/api/v1/me/notifications/read-all');
  if (!res.ok) return toast(t('common.failed', { message: problem(res) }));
  location.reload();
});
