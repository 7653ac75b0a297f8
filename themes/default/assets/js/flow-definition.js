// A flow definition edited as JSON: saved as a new version; the server's checks are listed by node.
import { api, el, page, problem, t, toast } from './lib.js';

const box = document.getElementById('definition-errors');
const list = box.querySelector('ul');
const editor = document.getElementById('definition-json');

/** The node or edge an error's field names (nodes[2]…, edges[3]…, handlers of a node), in the JSON as sent. */
function placeOf(field, definition) {
  const m = /^(nodes|edges)\[(\d+)\]/.exec(field || '');
  const item = m && definition && Array.isArray(definition[m[1]]) ? definition[m[1]][Number(m[2])] : null;
  if (!item || typeof item !== 'object') return null;
  if (m[1] === 'nodes') return { label: `${t('flows.node')} ${item.key}${item.name ? ` (${item.name})` : ''}`, find: `"key": ${JSON.stringify(item.key)}` };
  const nth = definition.edges.slice(0, Number(m[2])).filter((x) => x && x.from === item.from).length;
  return { label: `${item.from} → ${item.to}`, find: `"from": ${JSON.stringify(item.from)}`, nth };
}

/** Select the place in the editor (for an edge: the n-th one leaving the same node). */
function select(find, nth = 0) {
  let at = editor.value.indexOf(find);
  for (let i = 0; i < nth && at >= 0; i++) at = editor.value.indexOf(find, at + 1);
  if (at < 0) return;
  editor.focus();
  editor.setSelectionRange(at, at + find.length);
  const line = editor.value.slice(0, at).split('\n').length;
  editor.scrollTop = Math.max(0, (line - 3) * (editor.scrollHeight / editor.value.split('\n').length));
}

const show = (errors, definition) => {
  list.textContent = '';
  for (const e of errors) {
    const place = placeOf(e.field, definition);
    const li = el('li', {}, el('span', { text: e.field ? `${e.field}: ${e.message}` : e.message }));
    if (place) {
      const link = el('button', { type: 'button', class: 'link', 'data-testid': 'error-place', text: place.label });
      link.addEventListener('click', () => select(place.find, place.nth));
      li.prepend(link, ' ');
    }
    list.append(li);
  }
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
  if (!res.ok) return show(res.body && res.body.errors && res.body.errors.length ? res.body.errors : [{ message: problem(res) }], definition);
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
