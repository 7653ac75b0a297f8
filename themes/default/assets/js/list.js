// A list page: clean filter URLs, bulk actions, column chooser, saved views, import.
import { api, el, page, problem, t, toast } from './lib.js';

const plural = page.plural;

// Filters: leave empty inputs out of the URL; multi-selects travel as one comma-separated value.
const filters = document.querySelector('form.filters');
filters?.addEventListener('submit', () => {
  for (const select of filters.querySelectorAll('select[data-multi-csv]')) {
    const values = [...select.selectedOptions].map((o) => o.value);
    select.disabled = true;
    if (values.length) filters.append(el('input', { type: 'hidden', name: select.name, value: values.join(',') }));
  }
  for (const input of filters.querySelectorAll('input[name], select[name]:not([multiple])')) if (input.value === '') input.disabled = true;
});

// Bulk selection.
const bar = document.querySelector('.bulk-bar');
const checks = () => [...document.querySelectorAll('.row-check')];
const selected = () => checks().filter((c) => c.checked).map((c) => ({ id: Number(c.value), version: Number(c.closest('tr').dataset.version) }));
function refreshBar() {
  const n = selected().length;
  bar.hidden = n === 0;
  bar.querySelector('.bulk-count').textContent = t('list.selected', { count: n });
}
document.querySelector('[data-action="select-all"]')?.addEventListener('change', (e) => {
  checks().forEach((c) => (c.checked = e.target.checked));
  refreshBar();
});
document.querySelector('table.records')?.addEventListener('change', (e) => {
  if (e.target.classList.contains('row-check')) refreshBar();
});

document.querySelector('[data-action="bulk-delete"]')?.addEventListener('click', async () => {
  const rows = selected();
  if (!rows.length || !confirm(t('common.confirmDelete'))) return;
  const res = await api('POST', `/api/v1/${plural}/bulk`, { delete: rows.map((r) => r.id) });
  if (!res.ok) return toast(t('common.failed', { message: problem(res) }));
  toast(t('list.deleted', { count: res.body.deleted.length }));
  location.reload();
});

const ownerDialog = document.getElementById('owner-dialog');
document.querySelector('[data-action="bulk-owner"]')?.addEventListener('click', () => ownerDialog.showModal());
ownerDialog?.querySelector('[data-action="owner-save"]').addEventListener('click', async (e) => {
  e.preventDefault();
  const owner = Number(ownerDialog.querySelector('input[name=owner]').value);
  const error = ownerDialog.querySelector('.alert');
  if (!owner) return;
  const res = await api('POST', `/api/v1/${plural}/bulk`, { update: selected().map((r) => ({ id: r.id, version: r.version, owner })) });
  if (!res.ok) {
    error.textContent = problem(res);
    error.hidden = false;
    return;
  }
  ownerDialog.close();
  toast(t('list.assigned', { count: res.body.updated.length }));
  location.reload();
});

document.querySelector('[data-action="bulk-export"]')?.addEventListener('click', () => {
  const ids = selected().map((r) => r.id);
  if (!ids.length) return;
  const q = new URLSearchParams({ format: 'xlsx', filter: JSON.stringify({ id: { in: ids } }), fields: page.columns.join(','), lang: page.lang });
  location.href = `/api/v1/${plural}/export?${q}`;
});

// Columns, kept per user.
const columnsDialog = document.getElementById('columns-dialog');
document.querySelector('[data-action="columns"]')?.addEventListener('click', () => {
  const list = columnsDialog.querySelector('.column-list');
  list.textContent = '';
  const order = [...page.columns, ...page.available.map((f) => f.name).filter((n) => !page.columns.includes(n))];
  for (const name of order) {
    const f = page.available.find((a) => a.name === name);
    if (!f) continue;
    list.append(el('li', {}, el('label', { class: 'inline' }, el('input', { type: 'checkbox', value: f.name, checked: page.columns.includes(f.name) }), f.label)));
  }
  columnsDialog.showModal();
});
columnsDialog?.querySelector('[data-action="columns-save"]').addEventListener('click', async (e) => {
  e.preventDefault();
  const columns = [...columnsDialog.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value);
  if (!columns.length) return;
  const res = await api('PUT', `/api/v1/me/preferences/list.${page.entity}.columns`, { value: columns });
  if (!res.ok) return toast(t('common.failed', { message: problem(res) }));
  columnsDialog.close();
  const url = new URL(location.href);
  url.searchParams.delete('columns');
  location.href = url.toString();
});

// Saved views: the current filter, sort and columns under a name.
const viewDialog = document.getElementById('view-dialog');
document.querySelector('[data-action="save-view"]')?.addEventListener('click', () => {
  viewDialog.querySelector('input[name=name]').value = page.view && page.view.mine ? page.view.name : '';
  viewDialog.showModal();
});
viewDialog?.querySelector('[data-action="view-save"]').addEventListener('click', async (e) => {
  e.preventDefault();
  const name = viewDialog.querySelector('input[name=name]').value.trim();
  const shared = viewDialog.querySelector('input[name=shared]').checked;
  const error = viewDialog.querySelector('.alert');
  if (!name) return;
  const query = { sort: page.query.sort, columns: page.query.columns };
  if (page.query.filter) query.filter = page.query.filter;
  const res = await api('POST', '/api/v1/views', { entity: page.entity, name, shared, query });
  if (!res.ok) {
    error.textContent = problem(res);
    error.hidden = false;
    return;
  }
  viewDialog.close();
  location.href = `/app/${plural}?view=${res.body.id}`;
});

// Import: preview (mapping suggested by the server), then import; the report lists bad rows.
const importDialog = document.getElementById('import-dialog');
let importFile = null;
let mapping = {};
document.querySelector('[data-action="import"]')?.addEventListener('click', () => importDialog.showModal());
importDialog?.querySelector('input[type=file]').addEventListener('change', async (e) => {
  importFile = e.target.files[0] || null;
  const box = importDialog.querySelector('.import-mapping');
  const error = importDialog.querySelector('.alert');
  const run = importDialog.querySelector('[data-action="import-run"]');
  box.textContent = '';
  importDialog.querySelector('.import-report').textContent = '';
  error.hidden = true;
  run.disabled = true;
  if (!importFile) return;
  const res = await api('POST', `/api/v1/${plural}/import/preview`, importFile, { 'Content-Type': importFile.type || (importFile.name.endsWith('.csv') ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') });
  if (!res.ok) {
    error.textContent = problem(res);
    error.hidden = false;
    return;
  }
  mapping = { ...res.body.mapping };
  const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', { text: t('list.importColumn') }), el('th', { text: t('list.importField') }))));
  const body = el('tbody');
  for (const header of Object.keys(mapping)) {
    const select = el('select', { 'data-header': header }, el('option', { value: '', text: t('list.importSkip') }));
    for (const f of res.body.fields) select.append(el('option', { value: f.name, text: f.label || f.name, selected: mapping[header] === f.name }));
    select.addEventListener('change', () => (mapping[header] = select.value || null));
    body.append(el('tr', {}, el('td', { text: header }), el('td', {}, select)));
  }
  table.append(body);
  box.append(table);
  run.disabled = false;
});
importDialog?.querySelector('[data-action="import-run"]').addEventListener('click', async () => {
  if (!importFile) return;
  const report = importDialog.querySelector('.import-report');
  const error = importDialog.querySelector('.alert');
  error.hidden = true;
  const q = new URLSearchParams({ mapping: JSON.stringify(mapping), skipBadRows: 'true' });
  const res = await api('POST', `/api/v1/${plural}/import?${q}`, importFile, { 'Content-Type': importFile.type || (importFile.name.endsWith('.csv') ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') });
  if (!res.ok) {
    error.textContent = problem(res);
    error.hidden = false;
    return;
  }
  const r = res.body;
  report.textContent = '';
  report.append(el('p', { 'data-testid': 'import-summary', text: t('list.importDone', { created: r.created, updated: r.updated, invalid: r.invalid }) }));
  if (r.errors && r.errors.length) {
    report.append(el('p', { text: t('list.importErrors') }));
    const ul = el('ul', { 'data-testid': 'import-errors' });
    for (const e of r.errors) ul.append(el('li', { text: `${t('list.importRow', { row: e.row })}${e.column ? ` [${e.column}]` : ''}: ${e.message}` }));
    report.append(ul);
  }
  importDialog.querySelector('button[value=cancel]').addEventListener('click', () => location.reload(), { once: true });
});
