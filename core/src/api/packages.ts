import type Router from '@koa/router';
import type { Context } from 'koa';
import { ForbiddenError, type Actor } from '@plinth/sdk';
import type { Packages } from '../packages/packages';

function admin(ctx: Context): Actor {
  const actor = ctx.state.actor as Actor;
  if (!actor.isAdmin) throw new ForbiddenError('Only administrators move configuration packages');
  return actor;
}

const list = (v: unknown): string[] | undefined => (typeof v === 'string' && v ? v.split(',') : Array.isArray(v) ? v.map(String) : undefined);

/**
 * GET /api/v1/packages/export[?sections=customFields,overlays&name=…] — the admin-made
 * definitions as one JSON package (a download). POST /api/v1/packages/import[?dryRun=true]
 * with a package as the body — the differences it makes here; without dryRun they are
 * applied all at once.
 */
export function packageRoutes(router: Router, packages: () => Packages): void {
  router.get('/packages/export', async (ctx) => {
    admin(ctx);
    const pkg = await packages().export(list(ctx.query.sections), typeof ctx.query.name === 'string' ? ctx.query.name : undefined);
    ctx.set('Content-Disposition', `attachment; filename="plinth-package-${pkg.exportedAt.slice(0, 10)}.json"`);
    ctx.body = pkg;
  });
  router.post('/packages/import', async (ctx) => {
    const actor = admin(ctx);
    const dryRun = ctx.query.dryRun === 'true' || ctx.query.dryRun === '1';
    ctx.body = await packages().import(actor, ctx.request.body, dryRun);
  });
}
