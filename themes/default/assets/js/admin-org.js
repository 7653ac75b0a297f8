// Organisation: edit, move, add and delete units; add and remove members; assign roles; positions.
import { api, page, t } from './lib.js';
import { act, assignRole, clearProblem, dialog, formValues, showProblem } from './admin-lib.js';

const unitForm = document.getElementById('unit-form');
const unitError = document.getElementById('unit-error');

unitForm?.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!unitForm.reportValidity()) return;
  clearProblem(unitError, unitForm);
  const v = formValues(unitForm, ['name', 'code', 'kind', 'parent', 'manager', 'sortOrder', 'enabled']);
  const body = { version: page.unit.version, ...v, parent: v.parent === null ? null : Number(v.parent), manager: v.manager === null ? null : Number(v.manager) };
  const res = await api('PATCH', `/api/v1/departments/${page.unit.id}`, body);
  if (!res.ok) return showProblem(unitError, res, unitForm);
  location.reload();
});

document.querySelector('[data-action="delete-unit"]')?.addEventListener('click', async () => {
  if (!confirm(t('common.confirmDelete'))) return;
  await act(unitError, () => api('DELETE', `/api/v1/departments/${page.unit.id}`, undefined, { 'If-Match': `"${page.unit.version}"` }), () => (location.href = '/admin/org'));
});

const unitDialog = dialog('unit-dialog', async (form) => {
  const v = formValues(form, ['name', 'code', 'kind', 'parent']);
  const res = await api('POST', '/api/v1/departments', { ...v, parent: v.parent === null ? null : Number(v.parent) });
  if (res.ok) location.href = `/admin/org?unit=${res.body.id}`;
  return res;
});
for (const b of document.querySelectorAll('[data-action="new-unit"]')) {
  b.addEventListener('click', () => unitDialog.open((form) => (form.parent.value = b.dataset.parent || '')));
}

// Members: a user's department is a field of the user record.
const memberError = document.getElementById('member-error');
async function moveUser(userId, department) {
  const current = await api('GET', `/api/v1/users/${userId}?fields=id,version`);
  if (!current.ok) return current;
  return api('PATCH', `/api/v1/users/${userId}`, { version: current.body.version, department });
}
document.querySelector('[data-action="add-member"]')?.addEventListener('click', async () => {
  const picked = Number(document.getElementById('member-pick').value);
  if (!picked) return;
  await act(memberError, () => moveUser(picked, page.unit.id));
});
for (const b of document.querySelectorAll('[data-action="remove-member"]')) {
  b.addEventListener('click', async () => {
    if (!confirm(t('admin.org.confirmRemove'))) return;
    await act(memberError, () => moveUser(Number(b.closest('tr').dataset.user), null));
  });
}
for (const s of document.querySelectorAll('[data-action="assign-role"]')) {
  s.addEventListener('change', async () => {
    if (!s.value) return;
    await act(memberError, () => assignRole(Number(s.closest('tr').dataset.user), Number(s.value)));
    s.value = '';
  });
}
for (const b of document.querySelectorAll('[data-action="unassign-role"]')) {
  b.addEventListener('click', () => act(memberError, () => api('DELETE', `/api/v1/userRoles/${b.dataset.id}`)));
}

// Positions.
const positionError = document.getElementById('position-error');
const positionDialog = dialog('position-dialog', async (form) => {
  const v = formValues(form, ['id', 'version', 'name', 'code', 'superior', 'level', 'description']);
  const { id, version, ...rest } = v;
  const body = { ...rest, superior: rest.superior === null ? null : Number(rest.superior) };
  const res = id ? await api('PATCH', `/api/v1/positions/${id}`, { ...body, version: Number(version) }) : await api('POST', '/api/v1/positions', body);
  if (res.ok) location.reload();
  return res;
});
document.querySelector('[data-action="new-position"]')?.addEventListener('click', () => positionDialog.open((form) => { for (const o of form.superior.options) o.disabled = false; }));
for (const b of document.querySelectorAll('[data-action="edit-position"]')) {
  b.addEventListener('click', () => {
    const p = page.positions.find((x) => x.id === Number(b.dataset.id));
    positionDialog.open((form) => {
      for (const k of ['id', 'version', 'name', 'code', 'level', 'description']) if (form[k]) form[k].value = p[k] ?? '';
      form.superior.value = p.superior ?? '';
      // A position cannot report to itself.
      for (const o of form.superior.options) o.disabled = Number(o.value) === p.id;
    });
  });
}
for (const b of document.querySelectorAll('[data-action="delete-position"]')) {
  b.addEventListener('click', async () => {
    if (!confirm(t('common.confirmDelete'))) return;
    const p = page.positions.find((x) => x.id === Number(b.dataset.id));
    await act(positionError, () => api('DELETE', `/api/v1/positions/${p.id}`, undefined, { 'If-Match': `"${p.version}"` }));
  });
}
