// Starting a flow: the initiator's handlers per node (predefined model: users, roles,
// departments; save the choice, use the saved one) or their own route (custom model: steps
// of the allowed kinds, each with its users, in order). The form's submit asks for them
// with a "collect-extra" event and hands back errors with "submit-errors".
import { el, page, t } from './lib.js';
import { enhanceLookups } from './lookup.js';

const box = document.querySelector('[data-flow-choice]');
const form = box?.closest('form');

function chip(list, item) {
  if ([...list.children].some((li) => li.dataset.type === item.type && li.dataset.value === String(item.value))) return;
  const remove = el('button', { type: 'button', class: 'chip-remove', 'aria-label': t('flows.choice.remove'), text: '×' });
  const li = el('li', { class: 'chip', 'data-type': item.type, 'data-value': String(item.value) }, el('span', { text: item.label }), remove);
  remove.addEventListener('click', () => li.remove());
  list.append(li);
}

/** Choosing in a look-up or the role list adds a chip, and the control is cleared for the next one. */
function adders(root, list) {
  for (const hidden of root.querySelectorAll('.lookup input[type=hidden][data-choice]')) {
    const text = hidden.parentElement.querySelector('.lookup-text');
    hidden.addEventListener('change', () => {
      if (!hidden.value) return;
      chip(list, { type: hidden.dataset.choice, value: Number(hidden.value), label: text.value });
      hidden.value = '';
      text.value = '';
    });
  }
  const roles = root.querySelector('select[data-choice=roles]');
  roles?.addEventListener('change', () => {
    if (!roles.value) return;
    chip(list, { type: 'roles', value: roles.value, label: roles.selectedOptions[0].textContent });
    roles.value = '';
  });
  enhanceLookups(root);
}

const chipsOf = (list) => [...list.children].map((li) => ({ type: li.dataset.type, value: li.dataset.type === 'roles' ? li.dataset.value : Number(li.dataset.value) }));

/** Chips as handler entries: {type: users, ids}, {type: roles, codes}, {type: departments, ids}. */
function specs(items) {
  const out = [];
  for (const type of ['users', 'roles', 'departments']) {
    const values = items.filter((i) => i.type === type).map((i) => i.value);
    if (values.length) out.push(type === 'roles' ? { type, codes: values } : { type, ids: values });
  }
  return out;
}

function showError(p, message) {
  p.textContent = message;
  p.hidden = false;
}

if (box && page.choice?.predefined) {
  const rows = [...box.querySelectorAll('[data-choice-node]')];
  for (const row of rows) adders(row, row.querySelector('.chips'));
  box.querySelector('[data-action="use-saved"]')?.addEventListener('click', () => {
    for (const row of rows) {
      const list = row.querySelector('.chips');
      list.textContent = '';
      for (const item of page.choice.saved?.[row.dataset.choiceNode] || []) chip(list, item);
    }
  });
  form.addEventListener('collect-extra', (e) => {
    const handlers = {};
    for (const row of rows) {
      const chosen = specs(chipsOf(row.querySelector('.chips')));
      if (chosen.length) handlers[row.dataset.choiceNode] = chosen;
    }
    if (Object.keys(handlers).length) e.detail.handlers = handlers;
    if (document.getElementById('save-choice').checked && e.detail.handlers) e.detail.saveChoice = true;
  });
  form.addEventListener('submit-errors', (e) => {
    for (const p of box.querySelectorAll('.field-error')) p.hidden = true;
    for (const err of e.detail || []) {
      const m = /^handlers\.(\w+)/.exec(String(err.field || ''));
      const row = m && rows.find((r) => r.dataset.choiceNode === m[1]);
      if (row) showError(row.querySelector('.field-error'), err.message);
      else if (m) showError(document.getElementById('err-handlers'), err.message);
    }
  });
}

if (box && page.choice?.custom) {
  const steps = box.querySelector('.route-steps');
  const template = document.getElementById('route-step');
  const addStep = () => {
    const li = template.content.firstElementChild.cloneNode(true);
    adders(li, li.querySelector('.chips'));
    li.addEventListener('click', (e) => {
      const action = e.target.closest('[data-step-action]')?.dataset.stepAction;
      if (action === 'remove') li.remove();
      else if (action === 'up' && li.previousElementSibling) li.previousElementSibling.before(li);
      else if (action === 'down' && li.nextElementSibling) li.nextElementSibling.after(li);
    });
    steps.append(li);
    li.querySelector('[data-step=name]').focus();
  };
  box.querySelector('[data-action="add-step"]').addEventListener('click', addStep);
  form.addEventListener('collect-extra', (e) => {
    const route = [...steps.children].map((li) => ({
      kind: li.querySelector('[data-step=kind]').value,
      name: li.querySelector('[data-step=name]').value.trim(),
      users: chipsOf(li.querySelector('.chips')).map((c) => c.value),
    }));
    if (route.length) e.detail.route = route;
  });
  form.addEventListener('submit-errors', (e) => {
    for (const p of box.querySelectorAll('.field-error')) p.hidden = true;
    for (const err of e.detail || []) {
      const m = /^route(?:\[(\d+)\])?/.exec(String(err.field || ''));
      if (!m) continue;
      const li = m[1] !== undefined ? steps.children[Number(m[1])] : null;
      showError(li ? li.querySelector('.field-error') : document.getElementById('err-route'), err.message);
    }
  });
}
