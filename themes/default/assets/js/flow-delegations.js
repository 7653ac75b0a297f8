// Standing delegations: add one (delegate, optional flow, from–until), remove one.
import { api, problem, t, toast } from './lib.js';
import { enhanceLookups } from './lookup.js';

const form = document.getElementById('delegation-form');
enhanceLookups(form);
const iso = (id) => {
  const v = document.getElementById(id).value;
  return v ? new Date(v).toISOString() : null;
};

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  for (const p of form.querySelectorAll('.field-error, #form-error')) p.hidden = true;
  const flow = document.getElementById('delegate-flow').value;
  const res = await api('POST', '/api/v1/flows/delegations', { delegate: Number(document.getElementById('delegate').value) || null, startsAt: iso('starts-at'), endsAt: iso('ends-at'), ...(flow ? { flow } : {}) });
  if (res.ok) return location.reload();
  let placed = 0;
  for (const err of res.body?.errors || []) {
    const p = document.getElementById(`err-${err.field}`);
    if (!p) continue;
    p.textContent = err.message;
    p.hidden = false;
    placed++;
  }
  if (!placed) {
    const box = document.getElementById('form-error');
    box.textContent = problem(res);
    box.hidden = false;
  }
});

document.addEventListener('click', async (e) => {
  const button = e.target.closest('[data-action="remove-delegation"]');
  if (!button) return;
  const res = await api('DELETE', `/api/v1/flows/delegations/${button.dataset.id}`);
  if (res.ok) location.reload();
  else toast(t('common.failed', { message: problem(res) }));
});
