import type Router from '@koa/router';
import type { Context } from 'koa';
import { ForbiddenError, NotFoundError, ValidationError, type Actor } from '@plinth/sdk';
import type { RecordStore } from '../services/records';
import type { EntityModel } from '../meta/model';
import type { RelatedTabs, TabOptions } from '../related/tabs';
import { scopesAllow } from '../auth/scopes';
import type { AuthState } from './auth';
import { parseId, parseListQuery } from './params';

/**
 * Related tabs (关联菜单):
 * - `GET /{plural}/{id}/related`: the record's tabs with the count the caller may read;
 * - `GET /{plural}/{id}/related/{key}`: one tab's records, with the list query language;
 * - `GET /related-tabs/{entity}`: every tab of an entity with its source, for administrators.
 * Mounted before the generic record routes.
 */
export function relatedRoutes(router: Router, related: RelatedTabs, store: () => RecordStore): void {
  const parent = (ctx: Context): EntityModel => {
    const entity = store().meta.byPluralName(ctx.params.entity);
    if (!entity) throw new NotFoundError(`No resource "${ctx.params.entity}"`);
    return entity;
  };
  const actor = (ctx: Context) => ctx.state.actor as Actor;
  // The path names the parent entity only: an API token must also be scoped to read the tab's entity.
  const scoped = (ctx: Context): TabOptions => {
    const auth = ctx.state.auth as AuthState | undefined;
    return auth?.info.kind === 'token' ? { mayRead: (entity) => scopesAllow(auth.info.scopes ?? [], entity, 'read') } : {};
  };

  router.get('/related-tabs/:entity', async (ctx) => {
    const s = store();
    const entity = s.meta.get(ctx.params.entity);
    if (!entity) throw new NotFoundError(`No entity "${ctx.params.entity}"`);
    if (!(await s.service('relatedTab', actor(ctx)).can('read'))) throw new ForbiddenError('You may not read related tabs');
    const tabs = await related.all(entity);
    ctx.body = {
      data: tabs.map((t) => ({
        key: t.key,
        label: t.label,
        order: t.order,
        hidden: t.hidden,
        source: t.source,
        plugin: t.plugin,
        overlayId: t.overlayId,
        target: t.targetName,
        foreignKey: t.foreignKeyName,
        valid: t.target !== null,
      })),
    };
  });

  router.get('/:entity/:id/related', async (ctx) => {
    const extra = Object.keys(ctx.query);
    if (extra.length) throw new ValidationError(extra.map((k) => ({ field: k, rule: 'unknown-parameter', message: `${k} does not apply to the list of tabs` })));
    ctx.body = { data: await related.summary(parent(ctx), parseId(ctx.params.id), actor(ctx), scoped(ctx)) };
  });

  router.get('/:entity/:id/related/:key', async (ctx) => {
    ctx.body = await related.list(parent(ctx), parseId(ctx.params.id), ctx.params.key, parseListQuery(ctx.query), actor(ctx), scoped(ctx));
  });
}
