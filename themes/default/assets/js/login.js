// The login page: a browser session (HTTP-only cookie) from POST /api/v1/auth/login.
import { page, t } from './lib.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');
const fail = (text) => {
  error.textContent = text;
  error.hidden = false;
};

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.hidden = true;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) return fail(t('login.required'));
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ username, password, cookie: true }),
    });
    if (res.ok) {
      location.href = page.next || '/';
      return;
    }
    const body = await res.json().catch(() => ({}));
    if (res.status === 423 || res.status === 429) {
      const seconds = Number(res.headers.get('Retry-After')) || 60;
      fail(t('login.locked', { minutes: Math.max(1, Math.ceil(seconds / 60)) }));
    } else if (res.status === 401) fail(t('login.failed'));
    else fail(body.detail || body.title || `HTTP ${res.status}`);
  } finally {
    button.disabled = false;
  }
});
