import type { Context } from 'koa';
import { ForbiddenError } from '@plinth/sdk';
import { ADMIN_SCREENS } from './screens';
import { screensOf, sendAdmin, type AdminDeps } from './common';

/** /admin: the admin screens this viewer may use (403 when none). */
export async function adminIndexPage(ctx: Context, deps: AdminDeps): Promise<void> {
  const allowed = await screensOf(ctx, deps);
  if (!allowed.size) throw new ForbiddenError('You may not use the administration');
  await deps.ws.send(ctx, {
    page: 'admin/index',
    title: await deps.ws.t(ctx, 'admin.title'),
    crumbs: [{ label: await deps.ws.t(ctx, 'admin.title') }],
    data: { adminActive: true, screens: ADMIN_SCREENS.filter((s) => allowed.has(s.key)).map((s) => ({ ...s, titleKey: `admin.${s.key}.title`, descKey: `admin.${s.key}.desc` })) },
  });
}
