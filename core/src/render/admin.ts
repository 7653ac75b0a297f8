import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AdminDeps } from './pages/admin/common';
import { adminIndexPage } from './pages/admin/index';
import { orgPage, positionsPage } from './pages/admin/org';
import { rolePage, rolesPage } from './pages/admin/roles';

export type { AdminServices } from './pages/admin/common';

/**
 * The admin screens under /admin. Each page reads through the services as the viewer and
 * is refused (403 page) unless the viewer may use the API behind it; every change the
 * pages make goes through the REST API from their scripts.
 */
export function adminPages(pages: Router, session: Middleware, deps: AdminDeps): void {
  pages.get('/admin', session, (ctx) => adminIndexPage(ctx, deps));
  pages.get('/admin/org', session, (ctx) => orgPage(ctx, deps));
  pages.get('/admin/positions', session, (ctx) => positionsPage(ctx, deps));
  pages.get('/admin/roles', session, (ctx) => rolesPage(ctx, deps));
  pages.get('/admin/roles/:id', session, (ctx) => rolePage(ctx, deps));
}
