// Loaded on every workspace page: navigation toggle, logout, type-ahead lookups.
import { api } from './lib.js';
import { enhanceLookups } from './lookup.js';
import './bell.js';

document.querySelector('[data-action="toggle-nav"]')?.addEventListener('click', (e) => {
  const nav = document.getElementById('nav');
  const open = nav.classList.toggle('open');
  e.currentTarget.setAttribute('aria-expanded', String(open));
});

document.querySelector('[data-action="logout"]')?.addEventListener('click', async () => {
  await api('POST', '/api/v1/auth/logout');
  location.href = '/login';
});

enhanceLookups(document);
