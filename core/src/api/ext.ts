import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { NotFoundError, type Actor, type PluginDef, type PluginRouter, type RouteHandler } from '@plinth/sdk';
import type { Logger } from '../app/logger';
import { pluginLogger } from '../app/logger';
import { HttpError } from '../app/errors';
import { ServiceDataContext } from '../services/context';
import type { RecordStore } from '../services/records';

export const EXT_PREFIX = '/api/v1/ext';

/** A plugin's routes, under /api/v1/ext/{plugin}; handlers get a data context acting as the caller. */
export function pluginRoutes(plugin: PluginDef, store: () => RecordStore, log: Logger): Router | null {
  if (!plugin.routes) return null;
  const router = new Router({ prefix: `${EXT_PREFIX}/${plugin.name}` });
  const plog = pluginLogger(log.child({ plugin: plugin.name }));
  const wrap = (handler: RouteHandler) => async (ctx: Context) => {
    const data = new ServiceDataContext(store(), ctx.state.actor as Actor);
    const result = await handler({
      actor: data.actor,
      records: (entity) => data.records(entity),
      transaction: (fn) => data.transaction(fn),
      can: (entity, action, id) => data.can(entity, action, id),
      notifications: data.notifications,
      params: ctx.params,
      query: ctx.query,
      body: ctx.request.body,
      log: plog,
    });
    if (result === undefined) ctx.status = 204;
    else ctx.body = result;
  };
  const api: PluginRouter = {
    get: (path, h) => void router.get(path, wrap(h)),
    post: (path, h) => void router.post(path, wrap(h)),
    put: (path, h) => void router.put(path, wrap(h)),
    patch: (path, h) => void router.patch(path, wrap(h)),
    delete: (path, h) => void router.delete(path, wrap(h)),
  };
  plugin.routes(api);
  return router;
}

/** What the routing needs to know about plugins right now. */
export interface ServedPlugins {
  enabled(): readonly PluginDef[];
  /** Why an enabled plugin is not served (null when it is, or is not enabled). */
  unavailable(name: string): string | null;
  /** Every plugin whose code was loaded (served or not). */
  loaded(): readonly PluginDef[];
}

/** 503 for a plugin the administrator enabled that cannot be served now, with the reason. */
export class PluginUnavailableError extends HttpError {
  constructor(message: string) {
    super(503, 'plugin-unavailable', message);
  }
}

/**
 * Mount the plugins' routes so that they follow the enabled set without a restart: a
 * request to /api/v1/ext/{plugin}/… goes to that plugin's router while it is served,
 * answers 503 with the reason while it is enabled but unavailable, and 404 otherwise.
 */
export function extRoutes(api: Router, plugins: ServedPlugins, store: () => RecordStore, log: Logger): void {
  const routers = new WeakMap<PluginDef, Router | null>();
  const routerOf = (def: PluginDef): Router | null => {
    if (!routers.has(def)) routers.set(def, pluginRoutes(def, store, log));
    return routers.get(def)!;
  };
  const dispatch = async (ctx: Context, next: Next) => {
    const name = ctx.params.plugin;
    const def = plugins.enabled().find((p) => p.name === name);
    if (!def) {
      const why = plugins.unavailable(name);
      if (why) throw new PluginUnavailableError(why);
      throw new NotFoundError(`No enabled plugin "${name}"`);
    }
    const router = routerOf(def);
    if (!router) throw new NotFoundError(`Plugin "${name}" has no routes`);
    ctx.params = {};
    await router.routes()(ctx as never, () => router.allowedMethods()(ctx as never, async () => undefined));
    void next;
  };
  api.all('/ext/:plugin{/*rest}', dispatch);
}

/**
 * In front of the generic record routes: an entity of a plugin that is not served answers
 * 404 (disabled or uninstalled: the entity is gone), or 503 with the reason when its
 * plugin is enabled but unavailable (a failed upgrade).
 */
export function entityGate(plugins: ServedPlugins) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const plural = /^\/api\/v1\/([^/]+)/.exec(ctx.path)?.[1];
    if (plural) {
      const owner = plugins.loaded().find((p) => (p.entities ?? []).some((e) => (e.plural ?? `${e.name}s`) === plural));
      if (owner && !plugins.enabled().some((p) => p.name === owner.name)) {
        const why = plugins.unavailable(owner.name);
        if (why) throw new PluginUnavailableError(why);
        throw new NotFoundError(`No resource "${plural}"`);
      }
    }
    await next();
  };
}
