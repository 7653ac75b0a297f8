// Start a flow on a record: its title and (by flow-choice.js) the chosen handlers or route.
import { api, page, problem } from './lib.js';

const form = document.getElementById('start-record');
const formError = document.getElementById('form-error');

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  formError.hidden = true;
  const more = new CustomEvent('collect-extra', { detail: {} });
  form.dispatchEvent(more);
  const title = document.getElementById('start-title').value.trim();
  const button = form.querySelector('[type=submit]');
  button.disabled = true;
  try {
    const res = await api('POST', '/api/v1/flows/instances', { flow: page.flow, recordId: page.recordId, ...(title ? { title } : {}), ...more.detail });
    if (res.ok) {
      location.href = `/flows/instances/${res.body.id}`;
      return;
    }
    formError.textContent = problem(res);
    formError.hidden = false;
    form.dispatchEvent(new CustomEvent('submit-errors', { detail: (res.body && res.body.errors) || [] }));
  } finally {
    button.disabled = false;
  }
});
