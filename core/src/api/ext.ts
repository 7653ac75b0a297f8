import Router from '@koa/router';
import type { Context } from 'koa';
import type { Actor, PluginDef, PluginRouter, RouteHandler } from '@plinth/sdk';
import type { Logger } from '../app/logger';
import { pluginLogger } from '../app/logger';
import { ServiceDataContext } from '../services/context';
import type { RecordStore } from '../services/records';

/** Mount a plugin's routes under /ext/{plugin}; handlers get a data context acting as the caller. */
export function pluginRoutes(plugin: PluginDef, store: () => RecordStore, log: Logger): Router | null {
  if (!plugin.routes) return null;
  const router = new Router({ prefix: `/ext/${plugin.name}` });
  const plog = pluginLogger(log.child({ plugin: plugin.name }));
  const wrap = (handler: RouteHandler) => async (ctx: Context) => {
    const data = new ServiceDataContext(store(), ctx.state.actor as Actor);
    const result = await handler({
      actor: data.actor,
      records: (entity) => data.records(entity),
      transaction: (fn) => data.transaction(fn),
      can: (entity, action, id) => data.can(entity, action, id),
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
