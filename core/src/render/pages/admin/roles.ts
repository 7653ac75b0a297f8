import type { Context } from 'koa';
import { NotFoundError, STANDARD_ACTIONS, type Scope } from '@plinth/sdk';
import { textIn, type Language } from '../../i18n';
import type { RecordStore } from '../../../services/records';
import { AUDIT_LOG_RESOURCE } from '../../../api/audit';
import { FORM_ADMIN_RESOURCE } from '../../../forms/service';
import { endpointResource } from '../../../api/script-endpoints';
import { enter, idParam, readAll, sendAdmin, visibleFields, type AdminDeps } from './common';

/** Scopes a grant may have besides a filter (docs/security.md). */
export const NAMED_SCOPES = ['own', 'department', 'departmentTree', 'subordinates', 'branch', 'all'] as const;

/** Resources granted like entities that are not entities: what their grants allow. */
const RESOURCES: { name: string; label: Record<Language, string>; actions: string[] }[] = [
  { name: AUDIT_LOG_RESOURCE, label: { 'zh-CN': '操作日志', 'zh-TW': '操作日誌', en: 'Operation log' }, actions: ['read'] },
  { name: FORM_ADMIN_RESOURCE, label: { 'zh-CN': '表单定义', 'zh-TW': '表單定義', en: 'Form definitions' }, actions: ['create', 'update', 'delete'] },
];

/** How many holders of a role its page lists. */
const MEMBERS_SHOWN = 200;

/** A scope as one string: a named scope, or the JSON of a filter scope. */
export const scopeKey = (scope: Scope): string => (typeof scope === 'string' ? scope : JSON.stringify(scope));

const refId = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'object' && v !== null ? ((v as { id?: number }).id ?? null) : null);

/** /admin/roles — every role the viewer may read, with how many users hold it and how many grants it has. */
export async function rolesPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'roles');
  const { ws } = deps;
  const store = ws.deps.store();
  const roles = store.service('role', actor);
  const rows = await readAll(roles, { fields: await visibleFields(store, actor, 'role', ['id', 'version', 'code', 'name', 'description', 'builtin', 'source']) });
  const userRoles = store.service('userRole', actor);
  const grants = store.service('roleGrant', actor);
  const countUsers = await userRoles.can('read');
  const countGrants = await grants.can('read');
  const list = [];
  for (const r of rows.sort((a, b) => Number(b.builtin) - Number(a.builtin) || String(a.code).localeCompare(String(b.code)))) {
    list.push({
      ...r,
      users: countUsers ? await userRoles.count({ filter: { role: r.id } as never }) : null,
      grants: countGrants ? await grants.count({ filter: { role: r.id } as never }) : null,
      everyone: r.code === 'everyone',
      unrestricted: r.code === 'admin',
    });
  }
  const title = await ws.t(ctx, 'admin.roles.title');
  await sendAdmin(ctx, deps, {
    page: 'roles',
    title,
    crumbs: [{ label: title }],
    scripts: ['js/admin-roles.js'],
    client: { roles: list.map((r) => ({ id: r.id, version: r.version })) },
    data: { roles: list, can: { create: await roles.can('create'), delete: await roles.can('delete') } },
  });
}

interface GrantRow {
  id: number;
  version: number;
  entity: string;
  actions: string[];
  scope: Scope;
  hiddenFields: string[] | null;
  readonlyFields: string[] | null;
  source: string | null;
}

/** What can be granted: every entity (standard and declared custom actions) and the resources. */
async function grantables(store: RecordStore, deps: AdminDeps, lang: Language, callLabel: string, endpointGroup: string) {
  const custom = new Map<string, { action: string; label: string }[]>();
  for (const p of deps.plugins.enabled()) {
    for (const a of p.actions ?? []) custom.set(a.entity, [...(custom.get(a.entity) ?? []), { action: a.action, label: textIn(a.label, lang) }]);
  }
  const pluginLabels = new Map(deps.plugins.list().map((p) => [p.name, textIn(p.label ?? undefined, lang) || p.name]));
  const system = pluginLabels.get('system') ?? 'system';
  const all = [
    ...store.meta.all().map((e) => ({
      name: e.name,
      label: textIn(e.label, lang),
      plugin: e.plugin,
      group: pluginLabels.get(e.plugin) ?? e.plugin,
      actions: [...STANDARD_ACTIONS] as string[],
      custom: custom.get(e.name) ?? [],
      fields: [...e.fields.values()].filter((f) => f.type !== 'collection' && !['id', 'version', 'deletedAt', 'deletedBy'].includes(f.name)).map((f) => ({ name: f.name, label: textIn(f.label, lang) })),
    })),
    ...RESOURCES.map((r) => ({ name: r.name, label: r.label[lang], plugin: 'system', group: system, actions: r.actions, custom: [] as { action: string; label: string }[], fields: [] as { name: string; label: string }[] })),
    // Script endpoints: `call` on `x:{name}`, the platform's own last.
    ...[...new Set((await deps.endpoints?.()) ?? [])].sort().map((name) => ({ name: endpointResource(name), label: `/api/v1/x/${name}`, plugin: '~endpoints', group: endpointGroup, actions: [] as string[], custom: [{ action: 'call', label: callLabel }], fields: [] as { name: string; label: string }[] })),
  ];
  // The plugins' entities by plugin, the platform's own last.
  const rank = (plugin: string) => (plugin === '~endpoints' ? 2 : plugin === 'system' ? 1 : 0);
  return all.sort((a, b) => rank(a.plugin) - rank(b.plugin) || a.group.localeCompare(b.group) || a.label.localeCompare(b.label));
}

/**
 * /admin/roles/{id} — one role: its grants as a matrix of entity × action with the scope in
 * each cell (grants made by an administrator are editable; those a plugin declares are shown
 * beside them, read-only, since every start re-applies them), the field rules of each grant,
 * and the users who hold the role.
 */
export async function rolePage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'roles');
  const { ws } = deps;
  const store = ws.deps.store();
  const lang = (await ws.viewer(ctx)).lang;
  const id = idParam(ctx.params.id);
  if (id === null) throw new NotFoundError('No such role');
  const roles = store.service('role', actor);
  const role = await roles.get(id, { fields: await visibleFields(store, actor, 'role', ['id', 'version', 'code', 'name', 'description', 'builtin', 'source']) });
  const grantService = store.service('roleGrant', actor);
  const grants = (await grantService.can('read'))
    ? ((await readAll(grantService, { filter: { role: id } as never, fields: await visibleFields(store, actor, 'roleGrant', ['id', 'version', 'entity', 'actions', 'scope', 'hiddenFields', 'readonlyFields', 'source']) })) as unknown as GrantRow[])
    : [];
  const actionLabel = async (a: string) => {
    const key = `admin.action.${a}`;
    const text = await ws.t(ctx, key);
    return text === key ? a : text;
  };
  const scopeLabel = async (s: Scope) => (typeof s === 'string' ? ws.t(ctx, `admin.scope.${s}`) : ws.t(ctx, 'admin.scope.filter'));
  const targets = await grantables(store, deps, lang, await ws.t(ctx, 'admin.action.call'), await ws.t(ctx, 'admin.roles.endpoints'));
  const known = new Set(targets.map((t) => t.name));
  const rows = [];
  let group: string | null = null;
  for (const target of targets) {
    const mine = grants.filter((g) => g.entity === target.name);
    const cell = async (action: string) => {
      const admin = mine.filter((g) => !g.source && g.actions.includes(action));
      const plugin = mine.filter((g) => g.source && g.actions.includes(action));
      return {
        action,
        aria: `${target.label} · ${await actionLabel(action)}`,
        value: admin[0] ? scopeKey(admin[0].scope) : '',
        filter: admin[0] && typeof admin[0].scope !== 'string' ? scopeKey(admin[0].scope) : null,
        extra: await Promise.all(admin.slice(1).map((g) => scopeLabel(g.scope))),
        plugin: await Promise.all(plugin.map(async (g) => ({ source: g.source, scope: await scopeLabel(g.scope) }))),
      };
    };
    const cells = [];
    for (const action of STANDARD_ACTIONS) cells.push(target.actions.includes(action) ? { applies: true, ...(await cell(action)) } : { applies: false, action });
    const custom = [];
    for (const c of target.custom) custom.push({ label: c.label, ...(await cell(c.action)) });
    rows.push({ name: target.name, label: target.label, groupHead: target.group !== group ? target.group : null, cells, custom, ruled: mine.filter((g) => !g.source).length, hasFields: target.fields.length > 0 });
    group = target.group;
  }
  // Grants naming something this instance lacks now (a plugin that is off): kept, listed.
  const orphans = grants.filter((g) => !known.has(g.entity)).map((g) => ({ ...g, actionsText: g.actions.join(', ') }));
  const userRoles = store.service('userRole', actor);
  const readMembers = await userRoles.can('read');
  // A role may be held by thousands: the first ones by name are listed, the rest are a link away.
  const memberCount = readMembers ? await userRoles.count({ filter: { role: id } as never }) : 0;
  const members = readMembers ? (await userRoles.list({ filter: { role: id } as never, fields: ['id', 'user', 'user.displayName'], expand: ['user'], sort: ['id'], limit: MEMBERS_SHOWN })).data : [];
  const nameOf = (m: Record<string, unknown>) => (typeof m.user === 'object' && m.user !== null ? String((m.user as { displayName?: unknown }).displayName ?? '') : '') || `#${String(refId(m.user))}`;
  const title = await ws.t(ctx, 'admin.roles.title');
  const canWrite = { grants: (await grantService.can('create')) && (await grantService.can('update')) && (await grantService.can('delete')), role: await roles.can('update', id), assign: await userRoles.can('create'), unassign: await userRoles.can('delete') };
  await sendAdmin(ctx, deps, {
    page: 'role',
    title: String(role.name),
    crumbs: [{ label: title, href: '/admin/roles' }, { label: String(role.name) }],
    scripts: ['js/admin-roles.js'],
    messages: ['lookup.'],
    client: {
      role: { id, version: role.version },
      grants: grants.filter((g) => !g.source).map((g) => ({ id: g.id, version: g.version, entity: g.entity, actions: g.actions, scope: g.scope, hiddenFields: g.hiddenFields ?? [], readonlyFields: g.readonlyFields ?? [] })),
      entities: Object.fromEntries(targets.map((t) => [t.name, { label: t.label, fields: t.fields }])),
    },
    data: {
      role: { ...role, unrestricted: role.code === 'admin', everyone: role.code === 'everyone' },
      actions: STANDARD_ACTIONS.map((a) => ({ action: a, labelKey: `admin.action.${a}` })),
      scopes: NAMED_SCOPES.map((s) => ({ value: s, labelKey: `admin.scope.${s}` })),
      rows,
      orphans,
      members: members.map((m) => ({ id: m.id, userId: refId(m.user), name: nameOf(m) })).sort((a, b) => a.name.localeCompare(b.name)),
      memberCount,
      moreMembers: memberCount > members.length ? { shown: members.length, total: memberCount, href: `/app/userRoles?filter[role]=${id}` } : null,
      readMembers,
      readGrants: await grantService.can('read'),
      can: canWrite,
    },
  });
}
