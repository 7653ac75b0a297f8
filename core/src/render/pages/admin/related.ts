import type { Context } from 'koa';
import { NotFoundError } from '@plinth/sdk';
import type { EntityModel } from '../../../meta/model';
import { textIn, type Language } from '../../i18n';
import { enter, readAll, sendAdmin, type AdminDeps } from './common';

/** Every (entity, reference field) whose records can be a tab of `entity`: the fields that reference it. */
function candidates(all: readonly EntityModel[], entity: string, lang: Language) {
  return all.flatMap((e) =>
    [...e.fields.values()]
      .filter((f) => f.def.type === 'reference' && f.def.entity === entity)
      .map((f) => ({ target: e.name, foreignKey: f.name, label: `${textIn(e.label, lang)} (${e.name}) · ${textIn(f.label, lang)} (${f.name})` })),
  );
}

/**
 * /admin/related?entity= — an entity's related tabs (关联菜单): the plugins' (read-only)
 * and the administrators' (add: target entity and its reference field, label, order;
 * remove). Changes go to `/api/v1/relatedTabs`, whose hook checks them against the metadata.
 */
export async function relatedPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const actor = await enter(ctx, deps, 'related');
  const { ws } = deps;
  if (!deps.related) throw new NotFoundError('Related tabs are not available');
  const store = ws.deps.store();
  const lang = (await ws.viewer(ctx)).lang;
  const all = store.meta.all().filter((e) => e.name !== 'relatedTab');
  const entities = all.map((e) => ({ value: e.name, label: `${textIn(e.label, lang)} (${e.name})` })).sort((a, b) => a.label.localeCompare(b.label));
  const asked = typeof ctx.query.entity === 'string' ? ctx.query.entity : null;
  if (asked !== null && !store.meta.get(asked)) throw new NotFoundError(`No entity "${asked}"`);
  // Without a choice: the first entity (by label) another one references, so there is something to see.
  const entity = asked ? store.meta.get(asked)! : (entities.map((e) => store.meta.get(e.value)!).find((e) => candidates(all, e.name, lang).length > 0) ?? all[0]);
  const service = store.service('relatedTab', actor);
  const tabs = await deps.related.all(entity);
  const versions = new Map((await readAll(service, { filter: { entity: entity.name } as never, fields: ['id', 'version'] })).map((r) => [r.id, r.version]));
  const title = await ws.t(ctx, 'admin.related.title');
  const entityLabel = textIn(entity.label, lang);
  await sendAdmin(ctx, deps, {
    page: 'related',
    title,
    crumbs: [{ label: title, href: '/admin/related' }, { label: entityLabel }],
    scripts: ['js/admin-related.js'],
    client: {
      entity: entity.name,
      tabs: tabs.filter((t) => t.source === 'admin' && t.overlayId !== null).map((t) => ({ id: t.overlayId, version: versions.get(t.overlayId!) ?? null, key: t.key })),
      nextOrder: tabs.reduce((m, t) => Math.max(m, t.order), 0) + 10,
    },
    data: {
      entities: entities.map((e) => ({ ...e, selected: e.value === entity.name })),
      entity: { name: entity.name, label: entityLabel },
      tabs: tabs.map((t) => ({
        key: t.key,
        id: t.overlayId,
        name: textIn(t.label, lang),
        order: t.order,
        hidden: t.hidden,
        plugin: t.source === 'plugin',
        pluginName: t.plugin,
        overlaid: t.source === 'plugin' && t.overlayId !== null,
        target: t.target ? `${textIn(t.target.label, lang)} (${t.targetName})` : t.targetName,
        foreignKey: t.foreignKey ? `${textIn(t.foreignKey.label, lang)} (${t.foreignKeyName})` : t.foreignKeyName,
        valid: t.target !== null && t.foreignKey !== null,
      })),
      candidates: candidates(store.meta.all(), entity.name, lang),
      can: { create: await service.can('create'), delete: await service.can('delete') },
    },
  });
}
