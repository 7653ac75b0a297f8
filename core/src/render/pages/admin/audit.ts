import type { Context } from 'koa';
import { ValidationError } from '@plinth/sdk';
import { AUDIT_QUERY_KEYS, queryAuditLog, type AuditPage } from '../../../audit/query';
import { dateTimeIn } from '../../display';
import { textIn } from '../../i18n';
import { enter, sendAdmin, type AdminDeps } from './common';

/** Actions offered as suggestions in the filter (any other can be typed). */
const KNOWN_ACTIONS = [
  'create', 'update', 'delete', 'restore', 'purge', 'export', 'import', 'login', 'login-failed', 'logout', 'lockout', 'denied', 'password-change', 'password-reset',
  'package.import', 'custom-field.create', 'custom-field.update', 'custom-field.remove', 'custom-field.restore', 'custom-field.purge', 'field-overlay.set', 'field-overlay.clear', 'field-order.set',
  'menu.overlay', 'form.create', 'form.update', 'form.disable', 'form.enable', 'form.delete',
];

const shown = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * /admin/audit — the operation log with filters (user, action, entity, record, time
 * range), newest first, paging back with `before`. It reads exactly what GET /api/v1/audit
 * answers the viewer (the same query function).
 */
export async function auditPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'audit');
  const { ws } = deps;
  const store = ws.deps.store();
  const viewer = await ws.viewer(ctx);
  const lang = viewer.lang;
  const timeZone = ws.deps.timeZone();
  const query: Record<string, string> = {};
  for (const key of AUDIT_QUERY_KEYS) {
    const v = ctx.query[key];
    if (typeof v === 'string' && v.trim() !== '') query[key] = v.trim();
  }
  let error: string | null = null;
  let page: AuditPage = { data: [], meta: { limit: 50, nextBefore: null } };
  try {
    page = await queryAuditLog(store, actor, query);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    error = err.errors.map((e) => e.message).join('; ');
  }
  const userId = Number(query.userId) || null;
  const names = await ws.names.load(userId ? [userId] : [], []);
  const rows = page.data.map((r) => {
    const entity = r.entity ? store.meta.get(r.entity) : undefined;
    const label = (field: string) => {
      const f = entity?.fields.get(field);
      return f ? textIn(f.label, lang) : field;
    };
    return {
      id: r.id,
      at: dateTimeIn(r.at, timeZone, true),
      user: r.username ?? (r.userId ? `#${r.userId}` : ''),
      userHref: r.userId ? `/admin/audit?userId=${r.userId}` : null,
      action: r.action,
      entity: entity ? textIn(entity.label, lang) : (r.entity ?? ''),
      entityName: r.entity ?? '',
      record: r.recordId,
      recordHref: entity && r.recordId && !['delete', 'purge'].includes(String(r.action)) ? `/app/${entity.plural}/${r.recordId}` : null,
      ip: r.ip,
      detail: r.detail,
      changes: Object.entries(r.changes ?? {}).map(([field, c]) => ({ field: label(field), before: shown(c.before), after: shown(c.after) })),
    };
  });
  const older = page.meta.nextBefore ? `/admin/audit?${new URLSearchParams({ ...query, before: String(page.meta.nextBefore) }).toString()}` : null;
  const entities = [...store.meta.all().map((e) => ({ value: e.name, label: `${textIn(e.label, lang)} (${e.name})` })), { value: 'form', label: 'form' }, { value: 'flowDefinition', label: 'flowDefinition' }].sort((a, b) => a.label.localeCompare(b.label));
  const title = await ws.t(ctx, 'admin.audit.title');
  await sendAdmin(ctx, deps, {
    page: 'audit',
    title,
    crumbs: [{ label: title }],
    scripts: ['js/admin-audit.js'],
    messages: ['lookup.'],
    client: { from: query.from ?? null, to: query.to ?? null },
    data: {
      rows,
      error,
      older,
      filtered: Object.keys(query).some((k) => k !== 'before' && k !== 'limit'),
      filter: { ...query, userName: userId ? (names.users.get(userId) ?? `#${userId}`) : '' },
      entities: entities.map((e) => ({ ...e, selected: e.value === query.entity })),
      actions: KNOWN_ACTIONS,
    },
  });
}
