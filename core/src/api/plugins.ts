import type Router from '@koa/router';
import type { Context } from 'koa';
import { ForbiddenError, type Actor } from '@plinth/sdk';
import type { PluginManager } from '../plugins/manager';

const admin = (ctx: Context): Actor => {
  const actor = ctx.state.actor as Actor | undefined;
  if (!actor?.isAdmin) throw new ForbiddenError('Only system administrators manage plugins');
  return actor;
};

/**
 * Plugin administration (system administrators): list and check plugins from their
 * manifests (no plugin code runs for that), and install, enable, disable, upgrade and
 * uninstall them while the platform runs. Every node follows within seconds.
 */
export function pluginAdminRoutes(router: Router, plugins: PluginManager): void {
  router.get('/plugins', (ctx) => {
    admin(ctx);
    ctx.body = { data: plugins.list() };
  });
  router.get('/plugins/:name', (ctx) => {
    admin(ctx);
    ctx.body = plugins.info(ctx.params.name);
  });
  router.post('/plugins/:name/check', (ctx) => {
    admin(ctx);
    ctx.body = plugins.check(ctx.params.name);
  });
  router.post('/plugins/:name/install', async (ctx) => {
    admin(ctx);
    ctx.body = await plugins.install(ctx.params.name);
  });
  router.post('/plugins/:name/enable', async (ctx) => {
    admin(ctx);
    ctx.body = await plugins.enable(ctx.params.name);
  });
  router.post('/plugins/:name/disable', async (ctx) => {
    admin(ctx);
    ctx.body = await plugins.disable(ctx.params.name);
  });
  router.post('/plugins/:name/upgrade', async (ctx) => {
    admin(ctx);
    ctx.body = await plugins.upgrade(ctx.params.name);
  });
  router.post('/plugins/:name/uninstall', async (ctx) => {
    admin(ctx);
    const { plugin, keptTables } = await plugins.uninstall(ctx.params.name);
    ctx.body = {
      plugin,
      keptTables,
      message: keptTables.length
        ? `Plugin "${plugin.name}" is uninstalled. Its tables (${keptTables.join(', ')}) and their data are kept; installing it again brings them back without seeding again.`
        : `Plugin "${plugin.name}" is uninstalled.`,
    };
  });
}
