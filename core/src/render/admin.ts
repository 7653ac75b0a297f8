import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AdminDeps } from './pages/admin/common';
import { adminIndexPage } from './pages/admin/index';
import { orgPage, positionsPage } from './pages/admin/org';
import { rolePage, rolesPage } from './pages/admin/roles';
import { entityFieldsPage, fieldsIndexPage } from './pages/admin/fields';
import { categoriesPage, dictionariesPage, dictionaryPage } from './pages/admin/basedata';
import { auditPage } from './pages/admin/audit';
import { pluginsPage } from './pages/admin/plugins';
import { packagesPage } from './pages/admin/packages';
import { formEditorPage, formPreviewPage, formsPage } from './pages/admin/forms';
import { parametersPage } from './pages/admin/parameters';
import { menusPage } from './pages/admin/menus';
import { relatedPage } from './pages/admin/related';
import { scriptEditorPage, scriptRunsPage, scriptsPage } from './pages/admin/scripts';

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
  pages.get('/admin/fields', session, (ctx) => fieldsIndexPage(ctx, deps));
  pages.get('/admin/fields/:entity', session, (ctx) => entityFieldsPage(ctx, deps));
  pages.get('/admin/dictionaries', session, (ctx) => dictionariesPage(ctx, deps));
  pages.get('/admin/dictionaries/:id', session, (ctx) => dictionaryPage(ctx, deps));
  pages.get('/admin/categories', session, (ctx) => categoriesPage(ctx, deps));
  pages.get('/admin/parameters', session, (ctx) => parametersPage(ctx, deps));
  pages.get('/admin/menus', session, (ctx) => menusPage(ctx, deps));
  pages.get('/admin/related', session, (ctx) => relatedPage(ctx, deps));
  pages.get('/admin/forms', session, (ctx) => formsPage(ctx, deps));
  pages.get('/admin/forms/:code', session, (ctx) => formEditorPage(ctx, deps));
  pages.get('/admin/forms/:code/preview', session, (ctx) => formPreviewPage(ctx, deps));
  pages.get('/admin/scripts', session, (ctx) => scriptsPage(ctx, deps));
  pages.get('/admin/new-script', session, (ctx) => scriptEditorPage(ctx, deps, null));
  pages.get('/admin/script-runs', session, (ctx) => scriptRunsPage(ctx, deps));
  pages.get('/admin/scripts/:name', session, (ctx) => scriptEditorPage(ctx, deps, ctx.params.name));
  pages.get('/admin/plugins', session, (ctx) => pluginsPage(ctx, deps));
  pages.get('/admin/packages', session, (ctx) => packagesPage(ctx, deps));
  pages.get('/admin/audit', session, (ctx) => auditPage(ctx, deps));
  // The menu entry of the operation log (system.audit, path /audit) leads here.
  pages.get('/app/audit', session, (ctx) => ctx.redirect(`/admin/audit${ctx.querystring ? `?${ctx.querystring}` : ''}`));
}
