// The bell in the header: the unread count, kept live by the notification stream (Server-Sent
// Events; the page CSP's connect-src 'self' allows it). Other scripts hear each update as a
// `plinth:notifications` event on the document ({ unread, newest }).
import { t, toast } from './lib.js';

const bell = document.querySelector('[data-testid=bell]');
const badge = bell?.querySelector('.badge');

function show(unread) {
  if (!badge) return;
  badge.textContent = unread > 99 ? '99+' : String(unread);
  badge.hidden = unread === 0;
  bell.setAttribute('aria-label', t('common.unreadMessages', { count: unread }));
}

if (bell && typeof EventSource === 'function') {
  let known = null;
  const source = new EventSource('/api/v1/me/notifications/stream');
  source.addEventListener('notifications', (e) => {
    const state = JSON.parse(e.data);
    show(state.unread);
    const newest = state.newest ? state.newest.id : 0;
    if (known !== null && newest > known) toast(t('common.newMessage', { title: state.newest.title }));
    known = Math.max(known ?? 0, newest);
    document.dispatchEvent(new CustomEvent('plinth:notifications', { detail: state }));
  });
  addEventListener('pagehide', () => source.close());
}
