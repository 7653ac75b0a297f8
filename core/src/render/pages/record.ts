import type { Context } from 'koa';
import { NotFoundError, ValidationError } from '@plinth/sdk';
import type { EntityModel } from '../../meta/model';
import type { RelatedTabs } from '../../related';
import { textIn } from '../i18n';
import { detailFields, listableFields, defaultColumns, groupFields } from '../fields';
import { directoryIds, fileIds, show, type DisplayContext } from '../display';
import { pageUserOf } from '../session';
import type { Workspace } from '../workspace';
import type { detailTable } from './data-form';

export function parseRecordId(raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw)) throw new NotFoundError(`No record "${raw}"`);
  return Number(raw);
}

async function displayContext(ctx: Context, ws: Workspace, entity: EntityModel, records: Record<string, unknown>[]): Promise<DisplayContext> {
  const viewer = await ws.viewer(ctx);
  const ids = directoryIds(entity, records);
  const names = await ws.names.load(ids.users, ids.departments);
  return { lang: viewer.lang, timeZone: ws.deps.timeZone(), messages: viewer.theme.messages, meta: ws.deps.store().meta, dictionaries: ws.deps.dictionaries, ...names, plural: entity.plural, files: await fileNames(ws, fileIds(entity, records)) };
}

/** File names by id (the records were read through the permission layer; only their files are named). */
export async function fileNames(ws: Workspace, ids: readonly number[]): Promise<Map<number, string>> {
  const files = ws.deps.store().files;
  const out = new Map<number, string>();
  if (!files) return out;
  for (const info of await Promise.all(ids.map((id) => files.get(id)))) if (info) out.set(info.id, info.name);
  return out;
}

const referencesOf = (entity: EntityModel, store: ReturnType<Workspace['deps']['store']>) =>
  [...entity.fields.values()].filter((f) => f.type === 'reference' && !['user', 'department'].includes((f.def as { entity: string }).entity) && store.meta.get((f.def as { entity: string }).entity));

/** A record's page: header, its fields in sections, related tabs with counts, history. */
export async function recordPage(ctx: Context, entity: EntityModel, id: number, ws: Workspace, related: RelatedTabs, extra: { detail?: Awaited<ReturnType<typeof detailTable>>; approvals?: (record: Record<string, unknown>) => Promise<unknown> } = {}): Promise<void> {
  const { actor } = pageUserOf(ctx);
  const store = ws.deps.store();
  const service = store.service(entity.name, actor);
  const record = await service.get(id, { expand: referencesOf(entity, store).map((f) => f.name) });
  const d = await displayContext(ctx, ws, entity, [record]);
  const fields = detailFields(entity).filter((f) => f.name in record);
  const item = (f: (typeof fields)[number]) => ({ name: f.name, label: textIn(f.label, d.lang), ...show(f, record, d), wide: f.type === 'text' || f.type === 'json' });
  const attachments = fields
    .filter((f) => f.type === 'file')
    .flatMap((f) => {
      const shown = show(f, record, d);
      return (shown.items ?? []).map((i) => ({ ...i, field: textIn(f.label, d.lang) }));
    });
  const tabs = (await related.summary(entity, id, actor)).map((t) => ({ key: t.key, label: textIn(t.label, d.lang), count: t.count, plural: t.plural, foreignKey: t.foreignKey }));
  const title = String(record[entity.titleField] ?? `#${id}`);
  const label = textIn(entity.label, d.lang);
  await ws.send(ctx, {
    page: 'record',
    title: `${title} · ${label}`,
    crumbs: [{ label, href: `/app/${entity.plural}` }, { label: title }],
    scripts: ['js/record.js'],
    messages: ['record.'],
    client: { entity: entity.name, plural: entity.plural, id, version: record.version },
    data: {
      entity: { name: entity.name, plural: entity.plural, label },
      record: { id, version: record.version, title },
      header: fields.filter((f) => !f.system).map(item).filter((i) => !i.empty).slice(0, 4),
      sections: groupFields(entity, fields.filter((f) => !f.system).map(item), d.lang, await ws.t(ctx, 'record.other')),
      system: fields.filter((f) => f.system).map(item),
      tabs,
      detail: extra.detail ?? null,
      approvals: extra.approvals ? await extra.approvals(record) : null,
      attachments,
      hasFileFields: fields.some((f) => f.type === 'file'),
      can: { update: await service.can('update', id), delete: await service.can('delete', id) },
    },
  });
}

/** One related tab of a record as an HTML fragment: a compact list (first 20), with a "new" link prefilled with the parent. */
export async function relatedFragment(ctx: Context, entity: EntityModel, id: number, key: string, ws: Workspace, related: RelatedTabs): Promise<void> {
  const { actor } = pageUserOf(ctx);
  const store = ws.deps.store();
  const tab = (await related.summary(entity, id, actor)).find((t) => t.key === key);
  if (!tab) throw new NotFoundError(`No related tab "${key}"`);
  const target = store.meta.get(tab.entity)!;
  const columns = defaultColumns(target).filter((c) => c !== tab.foreignKey).slice(0, 5).map((c) => target.fields.get(c)!).filter((f) => listableFields(target).includes(f));
  const offset = Math.max(0, Number(ctx.query.offset) || 0);
  let page;
  try {
    page = await related.list(entity, id, key, { limit: 20, offset, sort: ['-updatedAt'], count: true, expand: referencesOf(target, store).filter((f) => columns.includes(f)).map((f) => f.name) }, actor);
  } catch (err) {
    if (err instanceof ValidationError) throw new NotFoundError(err.message);
    throw err;
  }
  const d = await displayContext(ctx, ws, target, page.data);
  const viewer = await ws.viewer(ctx);
  const canCreate = await store.service(target.name, actor).can('create');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = ws.deps.views.render(viewer.theme.name, 'fragments/related', {
    lang: viewer.lang,
    theme: viewer.theme.name,
    headers: columns.map((c) => ({ label: textIn(c.label, d.lang) })),
    rows: page.data.map((r) => ({ href: `/app/${target.plural}/${String(r.id)}`, cells: columns.map((c) => show(c, r, d)) })),
    total: page.meta.total ?? page.data.length,
    more: (page.meta.total ?? 0) > offset + page.data.length,
    newHref: canCreate ? `/app/${target.plural}/new?${encodeURIComponent(tab.foreignKey)}=${id}&back=${encodeURIComponent(`/app/${entity.plural}/${id}`)}` : null,
    listHref: `/app/${target.plural}?filter[${encodeURIComponent(tab.foreignKey)}]=${id}`,
  }, null);
}

/** The change history of a record as an HTML fragment. */
export async function historyFragment(ctx: Context, entity: EntityModel, id: number, ws: Workspace): Promise<void> {
  const { actor } = pageUserOf(ctx);
  const store = ws.deps.store();
  await store.service(entity.name, actor).get(id, { fields: ['id'] });
  const entries = await store.audit.history(entity.name, id);
  const hidden = (await store.access.profile(actor)).hiddenFields(entity.name);
  const viewer = await ws.viewer(ctx);
  const users = await ws.names.load(entries.map((e) => e.userId), []);
  // The values before and after each change, as records, so that the users and departments they name are named.
  const states = entries.flatMap((e) => {
    const changes = Object.entries((e.changes ?? {}) as Record<string, { before?: unknown; after?: unknown }>);
    return [Object.fromEntries(changes.map(([name, c]) => [name, c.before])), Object.fromEntries(changes.map(([name, c]) => [name, c.after]))];
  });
  const d = await displayContext(ctx, ws, entity, states);
  const labelOf = (name: string) => {
    const f = entity.fields.get(name);
    return f ? textIn(f.label, d.lang) : name;
  };
  const valueOf = (name: string, v: unknown) => {
    const f = entity.fields.get(name);
    return f && !f.encrypted ? show(f, { [name]: v }, d).text : v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  };
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = ws.deps.views.render(viewer.theme.name, 'fragments/history', {
    lang: viewer.lang,
    theme: viewer.theme.name,
    entries: entries.map((e) => ({
      at: e.at ? show(entity.fields.get('updatedAt')!, { updatedAt: e.at }, d).text : '',
      who: e.userId ? (users.users.get(e.userId) ?? e.username ?? `#${e.userId}`) : (e.username ?? ''),
      action: e.action,
      // Fields hidden from this user by a field rule stay out of the page, values and names.
      changes: Object.entries((e.changes ?? {}) as Record<string, { before?: unknown; after?: unknown }>)
        .filter(([name]) => !hidden.has(name) && !entity.fields.get(name)?.encrypted)
        .map(([name, c]) => ({ label: labelOf(name), before: valueOf(name, c.before), after: valueOf(name, c.after) })),
    })),
  }, null);
}
