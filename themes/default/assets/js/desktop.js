// The desktop: the user picks a layout (one to three columns), which widgets show in which
// column and in what order, and the quick links. Saved in the preferences `desktop.layout`
// and `desktop.links`; the server checks the layout's shape.
import { api, page, t } from './lib.js';
import { dialog } from './admin-lib.js';

// The messages widget follows the bell's live count.
document.addEventListener('plinth:notifications', (e) => {
  const count = document.querySelector('[data-testid=messages-count]');
  if (count) count.textContent = String(e.detail.unread);
});

const table = document.querySelector('[data-testid="layout-widgets"] tbody');

/** The column each widget is in (0 = not shown), from the current layout. */
function placement() {
  const out = new Map(page.all.map((w) => [w, 0]));
  page.columns.forEach((column, i) => column.forEach((w) => out.set(w, i + 1)));
  return out;
}

/** The column selects offer as many columns as the layout has; a widget beyond them moves to the last. */
function fitColumns(form, count) {
  for (const select of table.querySelectorAll('select')) {
    const was = Number(select.value);
    select.replaceChildren(select.options[0]);
    for (let c = 1; c <= count; c++) select.append(new Option(t('desktop.columnN', { n: c }), String(c)));
    select.value = String(Math.min(was, count));
  }
}

/** Rows in the current order: widgets placed first, by column and position, then the others. */
function fill(form) {
  const where = placement();
  const placed = page.columns.flat();
  const order = [...placed, ...page.all.filter((w) => !placed.includes(w))];
  for (const w of order) table.append(table.querySelector(`tr[data-widget="${w}"]`));
  const count = page.columns.length;
  form.querySelector(`input[name=columns][value="${count}"]`).checked = true;
  fitColumns(form, page.maxColumns);
  for (const [w, c] of where) form.elements.namedItem(`column-${w}`).value = String(c);
  fitColumns(form, count);
  form.elements.namedItem('links').value = page.links.map((l) => `${l.label} ${l.href}`).join('\n');
}

const layoutDialog = dialog('layout-dialog', async (form) => {
  const count = Number(form.querySelector('input[name=columns]:checked').value);
  const columns = Array.from({ length: count }, () => []);
  for (const row of table.querySelectorAll('tr[data-widget]')) {
    const c = Number(form.elements.namedItem(`column-${row.dataset.widget}`).value);
    if (c > 0) columns[Math.min(c, count) - 1].push(row.dataset.widget);
  }
  const links = form.elements.namedItem('links').value
    .split('\n')
    .map((line) => line.trim().match(/^(.+)\s+(\/\S*)$/))
    .filter(Boolean)
    .map((m) => ({ label: m[1], href: m[2] }));
  const res = await api('PUT', '/api/v1/me/preferences/desktop.layout', { value: { columns } });
  if (!res.ok) return res;
  const saved = await api('PUT', '/api/v1/me/preferences/desktop.links', { value: links });
  if (!saved.ok) return { ...saved, body: { ...saved.body, errors: (saved.body?.errors || []).map((e) => ({ ...e, field: 'links' })) } };
  location.reload();
  return false;
});

document.querySelector('[data-action="arrange"]')?.addEventListener('click', () => layoutDialog.open(fill));
layoutDialog?.form.addEventListener('change', (e) => {
  if (e.target.name === 'columns') fitColumns(layoutDialog.form, Number(e.target.value));
});
for (const b of table.querySelectorAll('button[data-action]')) {
  b.addEventListener('click', () => {
    const row = b.closest('tr');
    if (b.dataset.action === 'widget-up' && row.previousElementSibling) row.parentNode.insertBefore(row, row.previousElementSibling);
    if (b.dataset.action === 'widget-down' && row.nextElementSibling) row.parentNode.insertBefore(row.nextElementSibling, row);
  });
}
