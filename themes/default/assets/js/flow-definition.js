// A flow definition edited as JSON: saved as a new version; the server's checks are listed by node.
import { api, el, page, problem, t, toast } from './lib.js';

const box = document.getElementById('definition-errors');
const list = box.querySelector('ul');
const show = (errors) => {
  list.textContent = '';
  for (const e of errors) list.append(el('li', { text: e.field ? `${e.field}: ${e.message}` : e.message }));
  box.hidden = errors.length === 0;
};

document.querySelector('[data-action="save-definition"]').addEventListener('click', async () => {
  document.getElementById('definition-saved').hidden = true;
  let definition;
  try {
    definition = JSON.parse(document.getElementById('definition-json').value);
  } catch (err) {
    return show([{ message: `${t('flows.badJson')}: ${err.message}` }]);
  }
  const res = await api('PUT', `/api/v1/flows/definitions/${page.code}`, { version: page.version, definition });
  if (!res.ok) return show(res.body && res.body.errors && res.body.errors.length ? res.body.errors : [{ message: problem(res) }]);
  show([]);
  page.version = res.body.version;
  document.getElementById('definition-saved').hidden = false;
});

const post = async (action, body) => {
  const res = await api('POST', `/api/v1/flows/definitions/${page.code}/${action}`, body);
  if (!res.ok) return toast(problem(res));
  location.href = action === 'copy' ? `/flows/definitions/${res.body.code}` : location.href;
};
document.querySelector('[data-action="enable"]')?.addEventListener('click', () => post('enable'));
document.querySelector('[data-action="disable"]')?.addEventListener('click', () => post('disable'));
document.querySelector('[data-action="copy"]')?.addEventListener('click', () => {
  const code = prompt(t('flows.copyCode'), `${page.code}Copy`);
  if (code) post('copy', { code });
});
