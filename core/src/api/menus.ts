import type Router from '@koa/router';
import type { Context } from 'koa';
import { ForbiddenError, type Actor } from '@plinth/sdk';
import type { Menus } from '../menus/menus';

const actorOf = (ctx: Context): Actor => ctx.state.actor as Actor;
const admin = (ctx: Context): Actor => {
  const actor = actorOf(ctx);
  if (!actor?.isAdmin) throw new ForbiddenError('Only system administrators change menus');
  return actor;
};

/**
 * The navigation menu: `GET /menus` is the signed-in user's tree; administrators see every
 * entry with its declaration and overlay, and change label, order and visibility.
 */
export function menuRoutes(router: Router, menus: Menus): void {
  router.get('/menus', async (ctx) => {
    ctx.body = { data: await menus.treeFor(actorOf(ctx)) };
  });
  router.get('/menus/admin', async (ctx) => {
    admin(ctx);
    ctx.body = await menus.adminTree();
  });
  // Reorder one parent's entries at once: { keys: [...] } in the new order.
  router.put('/menus/order', async (ctx) => {
    ctx.body = { data: await menus.setOrder(admin(ctx), ctx.request.body) };
  });
  router.put('/menus/overlays/:key', async (ctx) => {
    ctx.body = await menus.setOverlay(admin(ctx), ctx.params.key, ctx.request.body);
  });
  router.delete('/menus/overlays/:key', async (ctx) => {
    await menus.clearOverlay(admin(ctx), ctx.params.key);
    ctx.status = 204;
  });
}
