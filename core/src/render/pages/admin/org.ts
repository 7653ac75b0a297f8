import type { Context } from 'koa';
import type { AnyRecord } from '@plinth/sdk';
import { textIn } from '../../i18n';
import { buildTree, enter, enumOptions, fieldLabel, idParam, readAll, sendAdmin, visibleFields, type AdminDeps } from './common';

interface Unit {
  id: number;
  version: number;
  parent: number | null;
  name: string;
  kind: string;
  path: string;
  sortOrder: number;
  enabled: boolean;
}

/** How many members of a unit its page lists. */
const MEMBERS_SHOWN = 200;

const UNIT_FIELDS = ['id', 'version', 'name', 'code', 'kind', 'parent', 'path', 'sortOrder', 'enabled', 'manager'];
const MEMBER_FIELDS = ['id', 'version', 'username', 'displayName', 'status', 'position', 'title', 'employeeNo'];

const refId = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'number' ? (v as { id: number }).id : null);

/**
 * /admin/org?unit=ID — the organisation tree (head office, branches, departments, teams)
 * with the chosen unit's details and members. Everything is read as the viewer; the edit
 * controls follow what the record service says the viewer may do on each record.
 */
export async function orgPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'org');
  const { ws } = deps;
  const store = ws.deps.store();
  const viewer = await ws.viewer(ctx);
  const lang = viewer.lang;
  const departments = store.service('department', actor);
  const users = store.service('user', actor);
  const units = (await readAll(departments, { fields: await visibleFields(store, actor, 'department', UNIT_FIELDS) })) as unknown as (Unit & AnyRecord)[];
  const kinds = new Map(enumOptions(departments, 'kind', lang).map((o) => [o.value, o.label]));
  const chosenId = idParam(ctx.query.unit) ?? null;
  const byOrder = (a: Unit, b: Unit) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0) || String(a.name).localeCompare(String(b.name)) || a.id - b.id;
  const { roots, depthFirst } = buildTree(units, byOrder, (u) => ({
    id: u.id,
    label: String(u.name ?? `#${u.id}`),
    badge: kinds.get(u.kind) ?? u.kind,
    href: `/admin/org?unit=${u.id}`,
    active: u.id === chosenId,
    muted: u.enabled === false,
  }));
  const selectedId = chosenId ?? depthFirst[0]?.row.id ?? null;
  const unit = selectedId === null ? null : await departments.get(selectedId, { fields: await visibleFields(store, actor, 'department', UNIT_FIELDS) });

  let members: Record<string, unknown>[] = [];
  let memberCount = 0;
  let roleOptions: { value: number; label: string }[] = [];
  const can = {
    createUnit: await departments.can('create'),
    updateUnit: unit ? await departments.can('update', unit.id) : false,
    deleteUnit: unit ? await departments.can('delete', unit.id) : false,
    updateUsers: await users.can('update'),
    readRoles: false,
    assignRoles: false,
    unassignRoles: false,
  };
  let managerName: string | null = null;
  if (unit) {
    const memberFields = await visibleFields(store, actor, 'user', MEMBER_FIELDS);
    memberCount = await users.count({ filter: { department: unit.id } as never });
    // A unit may have thousands of members: the first ones are listed, the rest are a link away.
    const rows = (await users.list({ filter: { department: unit.id } as never, fields: memberFields, expand: memberFields.includes('position') ? ['position'] : [], sort: ['id'], limit: MEMBERS_SHOWN })).data;
    const roleService = store.meta.get('userRole') ? store.service('userRole', actor) : null;
    can.readRoles = roleService !== null && (await roleService.can('read')) && (await store.service('role', actor).can('read'));
    can.assignRoles = can.readRoles && (await roleService!.can('create'));
    can.unassignRoles = can.readRoles && (await roleService!.can('delete'));
    const held = new Map<number, { id: number; role: number }[]>();
    const roleNames = new Map<number, string>();
    if (can.readRoles && rows.length) {
      for (const r of await readAll(store.service('role', actor), { fields: ['id', 'code', 'name'] })) roleNames.set(r.id, `${String(r.name)} (${String(r.code)})`);
      roleOptions = [...roleNames].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
      for (const ur of await readAll(roleService!, { filter: { user: { in: rows.map((r) => r.id) } } as never, fields: ['id', 'user', 'role'] })) {
        const user = refId(ur.user)!;
        held.set(user, [...(held.get(user) ?? []), { id: ur.id, role: refId(ur.role)! }]);
      }
    }
    members = rows.map((r) => ({
      id: r.id,
      version: r.version,
      username: r.username,
      displayName: r.displayName,
      disabled: r.status === 'disabled',
      position: r.position && typeof r.position === 'object' ? String((r.position as { name?: unknown }).name ?? '') : null,
      jobTitle: r.title ?? null,
      roles: (held.get(r.id) ?? []).map((h) => ({ id: h.id, label: roleNames.get(h.role) ?? `#${h.role}` })),
    }));
    const managerId = refId(unit.manager);
    if (managerId) managerName = (await ws.names.load([managerId], [])).users.get(managerId) ?? `#${managerId}`;
  }

  // A unit moves anywhere except under itself or one of its sub-units.
  const parentOptions = depthFirst
    .filter(({ row }) => !unit || (row.id !== unit.id && !String(row.path ?? '').includes(`/${unit.id}/`)))
    .map(({ row, depth }) => ({ value: row.id, label: `${'\u3000'.repeat(depth)}${String(row.name)}`, selected: unit ? row.id === refId(unit.parent) : false }));
  const title = await ws.t(ctx, 'admin.org.title');
  const labels = Object.fromEntries(['name', 'code', 'kind', 'parent', 'manager', 'sortOrder', 'enabled'].map((n) => [n, fieldLabel(departments, n, lang)]));
  await sendAdmin(ctx, deps, {
    page: 'org',
    title,
    crumbs: [{ label: title }],
    scripts: ['js/admin-org.js'],
    messages: ['lookup.'],
    client: { unit: unit ? { id: unit.id, version: unit.version } : null },
    data: {
      tab: 'units',
      roots,
      unit: unit ? { ...unit, managerId: refId(unit.manager), managerName, parentId: refId(unit.parent) } : null,
      labels,
      kinds: enumOptions(departments, 'kind', lang, unit?.kind),
      newKinds: enumOptions(departments, 'kind', lang, 'department'),
      parentOptions,
      members,
      memberCount,
      moreMembers: unit && memberCount > members.length ? { shown: members.length, total: memberCount, href: `/app/users?filter[department]=${unit.id}` } : null,
      roleOptions,
      can,
      entityLabel: textIn(departments.entity.label, lang),
    },
  });
}

/** /admin/positions — positions (职务) with the position each reports to. */
export async function positionsPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'org');
  const { ws } = deps;
  const store = ws.deps.store();
  const lang = (await ws.viewer(ctx)).lang;
  const positions = store.service('position', actor);
  const fields = await visibleFields(store, actor, 'position', ['id', 'version', 'name', 'code', 'superior', 'level', 'description']);
  const rows = await readAll(positions, { fields });
  const names = new Map(rows.map((r) => [r.id, String(r.name ?? `#${r.id}`)]));
  const title = await ws.t(ctx, 'admin.org.title');
  await sendAdmin(ctx, deps, {
    page: 'positions',
    title: await ws.t(ctx, 'admin.org.positions'),
    crumbs: [{ label: title, href: '/admin/org' }, { label: await ws.t(ctx, 'admin.org.positions') }],
    scripts: ['js/admin-org.js'],
    client: { positions: rows.map((r) => ({ id: r.id, version: r.version, name: r.name ?? '', code: r.code ?? '', superior: refId(r.superior), level: r.level ?? null, description: r.description ?? '' })) },
    data: {
      tab: 'positions',
      positions: rows.map((r) => ({ id: r.id, name: r.name, code: r.code, level: r.level, description: r.description, superior: refId(r.superior) ? (names.get(refId(r.superior)!) ?? `#${refId(r.superior)}`) : null })),
      superiorOptions: rows.map((r) => ({ value: r.id, label: String(r.name ?? `#${r.id}`) })),
      labels: Object.fromEntries(['name', 'code', 'superior', 'level', 'description'].map((n) => [n, fieldLabel(positions, n, lang)])),
      can: { create: await positions.can('create'), update: await positions.can('update'), delete: await positions.can('delete') },
    },
  });
}
