// Configuration packages: export is a plain download; an import is read here, dry-run first (the diff), then applied.
import { api, el, t } from './lib.js';
import { clearProblem, showProblem } from './admin-lib.js';

const file = document.querySelector('[data-testid="package-file"]');
const error = document.getElementById('package-error');
const plan = document.querySelector('[data-testid="package-plan"]');
const done = document.querySelector('[data-testid="package-done"]');
const applyButton = document.querySelector('[data-action="apply-package"]');
const showUnchanged = document.querySelector('[data-action="show-unchanged"]');
let pkg = null;

const text = (v) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

function render(result) {
  const { create, update, unchanged } = result.summary;
  plan.querySelector('.package-summary').textContent = t('admin.packages.summary', { create, update, unchanged });
  const body = plan.querySelector('tbody');
  body.replaceChildren();
  for (const item of result.items) {
    const details = el('td');
    for (const [prop, c] of Object.entries(item.changes || {})) {
      details.append(el('div', {}, el('code', { text: prop }), ' ', el('span', { class: 'before', text: text(c.before) }), ' → ', el('span', { class: 'after', text: text(c.after) })));
    }
    const row = el('tr', { 'data-action-kind': item.action, 'data-key': `${item.section}:${item.key}` }, el('td', { text: t(`admin.packages.section.${item.section}`) === `admin.packages.section.${item.section}` ? item.section : t(`admin.packages.section.${item.section}`) }), el('td', {}, el('code', { text: item.key })), el('td', {}, el('span', { class: `badge change-${item.action}`, text: t(`admin.packages.action.${item.action}`) })), details);
    row.hidden = item.action === 'unchanged' && !showUnchanged.checked;
    body.append(row);
  }
  plan.hidden = false;
  applyButton.hidden = result.dryRun === false || create + update === 0;
}

showUnchanged?.addEventListener('change', () => {
  for (const row of plan.querySelectorAll('tr[data-action-kind="unchanged"]')) row.hidden = !showUnchanged.checked;
});

file?.addEventListener('change', async () => {
  clearProblem(error);
  plan.hidden = true;
  done.hidden = true;
  pkg = null;
  const chosen = file.files[0];
  if (!chosen) return;
  try {
    pkg = JSON.parse(await chosen.text());
  } catch {
    return showProblem(error, { status: 400, body: { detail: t('admin.packages.notJson') } });
  }
  const res = await api('POST', '/api/v1/packages/import?dryRun=true', pkg);
  if (!res.ok) return showProblem(error, res);
  render(res.body);
});

applyButton?.addEventListener('click', async () => {
  if (!pkg || !confirm(t('admin.packages.confirmApply'))) return;
  applyButton.disabled = true;
  const res = await api('POST', '/api/v1/packages/import', pkg);
  applyButton.disabled = false;
  if (!res.ok) return showProblem(error, res);
  render(res.body);
  done.textContent = t('admin.packages.applied', res.body.summary);
  done.hidden = false;
});
