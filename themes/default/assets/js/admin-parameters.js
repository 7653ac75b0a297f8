// System parameters: each row saves its value with the version it was read at; the server
// checks the value against the type (errors next to the field) and refuses a stale save.
import { api, page, problem, t, toast } from './lib.js';
import { clearProblem, showProblem } from './admin-lib.js';

const byId = new Map(page.parameters.map((p) => [p.id, p]));

/** The typed value an editor holds, or { error } when the text cannot be that type. */
function read(param, input) {
  const text = input.value;
  if (param.secret) return text === '' ? { skip: true } : { value: param.type === 'string' ? text : parseJson(text) ?? text };
  if (text.trim() === '') return { value: null };
  switch (param.type) {
    case 'integer':
    case 'number':
      return { value: Number(text) };
    case 'boolean':
      return { value: text === 'true' };
    case 'json': {
      const parsed = parseJson(text);
      return parsed === undefined ? { error: t('admin.parameters.badJson') } : { value: parsed };
    }
    default:
      return { value: text };
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fieldError(form, message) {
  const p = form.querySelector('.field-error');
  p.textContent = message || '';
  p.hidden = !message;
  form.querySelector('.form-field').classList.toggle('invalid', Boolean(message));
}

async function save(form, param, version) {
  const input = form.elements.namedItem('value');
  const box = form.querySelector('.admin-problem');
  clearProblem(box);
  fieldError(form, '');
  const v = read(param, input);
  if (v.skip) return;
  if (v.error) return fieldError(form, v.error);
  const button = form.querySelector('[data-action="save-param"]');
  button.disabled = true;
  const res = await api('PATCH', `/api/v1/parameters/${param.id}`, { value: v.value, version });
  if (res.ok) {
    param.version = res.body.version;
    param.value = res.body.value ?? null;
    if (param.secret) input.value = '';
    form.querySelector('.param-conflict').hidden = true;
    toast(t('common.saved'));
    return;
  }
  button.disabled = false;
  if (res.status === 409 && String(res.body?.type || '').endsWith('stale-version')) return showConflict(form, param);
  const errors = (res.body && res.body.errors) || [];
  const own = errors.find((e) => e.field === 'value');
  if (own) fieldError(form, own.message || own.rule);
  if (!own || errors.length > 1) showProblem(box, res);
}

/** Someone saved first: show their value; reload, or save mine over theirs. */
async function showConflict(form, param) {
  const res = await api('GET', `/api/v1/parameters/${param.id}`);
  if (!res.ok) return toast(t('common.failed', { message: problem(res) }));
  const box = form.querySelector('.param-conflict');
  box.querySelector('.theirs').textContent = param.secret ? '***' : JSON.stringify(res.body.value ?? null);
  box.dataset.version = String(res.body.version);
  box.hidden = false;
}

for (const form of document.querySelectorAll('form.param-row')) {
  const param = byId.get(Number(form.dataset.param));
  const button = form.querySelector('[data-action="save-param"]');
  if (!button) {
    for (const c of form.querySelectorAll('[name]')) c.disabled = true;
    continue;
  }
  form.addEventListener('input', () => (button.disabled = false));
  form.addEventListener('change', () => (button.disabled = false));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    save(form, param, param.version);
  });
  form.querySelector('[data-action="conflict-reload"]').addEventListener('click', () => location.reload());
  form.querySelector('[data-action="conflict-overwrite"]').addEventListener('click', () => {
    const box = form.querySelector('.param-conflict');
    box.hidden = true;
    save(form, param, Number(box.dataset.version));
  });
}
