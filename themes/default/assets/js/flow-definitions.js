// A new flow definition from a shipped template (its form is created too when missing).
import { api, problem } from './lib.js';

const form = document.getElementById('from-template');
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const error = document.getElementById('form-error');
  const codeError = document.getElementById('err-code');
  error.hidden = codeError.hidden = true;
  const code = document.getElementById('template-code').value.trim();
  const res = await api('POST', '/api/v1/flows/definitions/from-template', { template: document.getElementById('template').value, ...(code ? { code } : {}) });
  if (res.ok) {
    location.href = `/flows/definitions/${res.body.code}`;
    return;
  }
  const onCode = (res.body?.errors || []).find((x) => x.field === 'code');
  const target = onCode ? codeError : error;
  target.textContent = onCode ? onCode.message : problem(res);
  target.hidden = false;
});
