// Roles: create and delete roles; a role's grants as a matrix (entity × action → scope), field rules, members.
import { api, el, page, t } from './lib.js';
import { act, assignRole, dialog, formValues, showProblem } from './admin-lib.js';

// ---- the role list ----
const rolesError = document.getElementById('roles-error');
const roleDialog = dialog('role-dialog', async (form) => {
  const v = formValues(form, ['code', 'name', 'description']);
  if (page.role) {
    const res = await api('PATCH', `/api/v1/roles/${page.role.id}`, { version: page.role.version, name: v.name, description: v.description });
    if (res.ok) location.reload();
    return res;
  }
  const res = await api('POST', '/api/v1/roles', v);
  if (res.ok) location.href = `/admin/roles/${res.body.id}`;
  return res;
});
document.querySelector('[data-action="new-role"]')?.addEventListener('click', () => roleDialog.open());
document.querySelector('[data-action="edit-role"]')?.addEventListener('click', () => roleDialog.open());
for (const b of document.querySelectorAll('[data-action="delete-role"]')) {
  b.addEventListener('click', async () => {
    if (!confirm(t('common.confirmDelete'))) return;
    const role = page.roles.find((r) => r.id === Number(b.dataset.id));
    await act(rolesError, () => api('DELETE', `/api/v1/roles/${role.id}`, undefined, { 'If-Match': `"${role.version}"` }));
  });
}

// ---- the grant matrix ----
const matrix = document.querySelector('.grant-matrix');
const grantError = document.getElementById('grant-error');
const saveButton = document.querySelector('[data-action="save-grants"]');
const dirty = new Set();
const keyOf = (scope) => (typeof scope === 'string' ? scope : JSON.stringify(scope));
const scopeOf = (key) => (key.startsWith('{') ? JSON.parse(key) : key);
const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

function markDirty(select) {
  const row = select.closest('tr');
  dirty.add(row.dataset.entity);
  row.classList.add('dirty');
  if (saveButton) saveButton.disabled = false;
}

// A filter scope is typed as JSON in the query language ($user, $department, $branch stand for the user's ids).
let filterTarget = null;
const filterDialog = dialog('filter-dialog', async (form) => {
  let filter;
  try {
    filter = JSON.parse(form.filter.value);
  } catch {
    return { ok: false, status: 400, body: { detail: t('admin.roles.badJson') } };
  }
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) return { ok: false, status: 400, body: { detail: t('admin.roles.badJson') } };
  const key = JSON.stringify({ filter });
  let option = [...filterTarget.options].find((o) => o.value === key);
  if (!option) {
    option = el('option', { value: key, text: t('admin.scope.filter') });
    filterTarget.insertBefore(option, filterTarget.lastElementChild);
  }
  filterTarget.value = key;
  filterTarget.dataset.last = key;
  markDirty(filterTarget);
  return { ok: true };
});
filterDialog?.el.addEventListener('close', () => {
  if (filterTarget && filterTarget.value === '__filter') filterTarget.value = filterTarget.dataset.last ?? filterTarget.dataset.initial;
});

matrix?.addEventListener('change', (e) => {
  const select = e.target;
  if (!select.classList?.contains('scope')) return;
  if (select.value === '__filter') {
    filterTarget = select;
    const current = select.dataset.last ?? select.dataset.initial;
    filterDialog.open((form) => (form.filter.value = current && current.startsWith('{') ? JSON.stringify(JSON.parse(current).filter, null, 2) : '{ "owner": "$user" }'));
    return;
  }
  select.dataset.last = select.value;
  markDirty(select);
});

/** The grants one entity's row asks for: one per scope, with the actions given that scope. */
function wanted(entity) {
  const row = matrix.querySelector(`tr[data-entity="${CSS.escape(entity)}"]`);
  const groups = new Map();
  for (const s of row.querySelectorAll('select.scope')) {
    if (!s.value || s.value === '__filter') continue;
    groups.set(s.value, [...(groups.get(s.value) || []), s.dataset.actionName]);
  }
  return groups;
}

/**
 * The changes that turn a row's saved grants into what it shows: a grant keeps its
 * scope (and field rules) where it can, is given another scope before a new one is made,
 * and goes when nothing is left for it. All of them are written in one transaction.
 */
function changes() {
  const out = { create: [], update: [], delete: [] };
  for (const entity of dirty) {
    const desired = wanted(entity);
    const spare = [];
    for (const g of page.grants.filter((x) => x.entity === entity)) {
      const key = keyOf(g.scope);
      if (desired.has(key)) {
        const actions = desired.get(key);
        if (!sameSet(actions, g.actions)) out.update.push({ id: g.id, version: g.version, actions });
        desired.delete(key);
      } else spare.push(g);
    }
    for (const [key, actions] of desired) {
      const g = spare.shift();
      if (g) out.update.push({ id: g.id, version: g.version, actions, scope: scopeOf(key) });
      else out.create.push({ role: page.role.id, entity, actions, scope: scopeOf(key) });
    }
    for (const g of spare) out.delete.push(g.id);
  }
  return out;
}

saveButton?.addEventListener('click', async () => {
  saveButton.disabled = true;
  const res = await api('POST', '/api/v1/roleGrants/bulk', changes());
  if (res.ok) return location.reload();
  saveButton.disabled = false;
  showProblem(grantError, res);
});

window.addEventListener('beforeunload', (e) => {
  if (dirty.size && saveButton && !saveButton.disabled) e.preventDefault();
});

// Field rules of each saved grant of an entity: hidden fields and read-only fields.
let rulesEntity = null;
const rulesDialog = dialog('rules-dialog', async (form) => {
  const update = [];
  for (const set of form.querySelectorAll('fieldset[data-grant]')) {
    const g = page.grants.find((x) => x.id === Number(set.dataset.grant));
    const pick = (name) => [...set.querySelector(`select[name="${name}"]`).selectedOptions].map((o) => o.value);
    const hiddenFields = pick('hiddenFields');
    const readonlyFields = pick('readonlyFields');
    if (!sameSet(hiddenFields, g.hiddenFields) || !sameSet(readonlyFields, g.readonlyFields)) {
      update.push({ id: g.id, version: g.version, hiddenFields: hiddenFields.length ? hiddenFields : null, readonlyFields: readonlyFields.length ? readonlyFields : null });
    }
  }
  if (!update.length) return { ok: true };
  const res = await api('POST', '/api/v1/roleGrants/bulk', { update });
  if (res.ok) location.reload();
  return res;
});
for (const b of document.querySelectorAll('[data-action="field-rules"]')) {
  b.addEventListener('click', () => {
    rulesEntity = b.dataset.entity;
    const info = page.entities[rulesEntity];
    rulesDialog.open((form) => {
      form.querySelector('.rules-entity').textContent = info.label;
      const body = form.querySelector('.rules-body');
      body.replaceChildren();
      for (const g of page.grants.filter((x) => x.entity === rulesEntity)) {
        const select = (name, chosen) => {
          const s = el('select', { name, multiple: true, size: Math.min(10, info.fields.length) });
          for (const f of info.fields) s.append(el('option', { value: f.name, selected: chosen.includes(f.name), text: `${f.label} (${f.name})` }));
          return s;
        };
        const scope = typeof g.scope === 'string' ? t(`admin.scope.${g.scope}`) : `${t('admin.scope.filter')} ${JSON.stringify(g.scope.filter)}`;
        body.append(
          el(
            'fieldset',
            { 'data-grant': g.id, class: 'rules-grant' },
            el('legend', { text: `${g.actions.map((a) => t(`admin.action.${a}`) === `admin.action.${a}` ? a : t(`admin.action.${a}`)).join(', ')} · ${scope}` }),
            el('label', {}, el('span', { text: t('admin.roles.hiddenFields') }), select('hiddenFields', g.hiddenFields)),
            el('label', {}, el('span', { text: t('admin.roles.readonlyFields') }), select('readonlyFields', g.readonlyFields)),
          ),
        );
      }
    });
  });
}

// ---- members of the role ----
const memberError = document.getElementById('role-member-error');
document.querySelector('[data-action="add-role-member"]')?.addEventListener('click', async () => {
  const user = Number(document.getElementById('role-member-pick').value);
  if (!user) return;
  await act(memberError, () => assignRole(user, page.role.id));
});
for (const b of document.querySelectorAll('[data-action="remove-role-member"]')) {
  b.addEventListener('click', () => act(memberError, () => api('DELETE', `/api/v1/userRoles/${b.dataset.id}`)));
}
