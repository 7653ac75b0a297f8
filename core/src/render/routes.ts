import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { NotFoundError, PlinthError } from '@plinth/sdk';
import type { Sessions } from '../auth/sessions';
import type { RelatedTabs } from '../related';
import type { Preferences } from '../prefs/preferences';
import type { SavedViews } from '../prefs/saved-views';
import type { Profiles } from '../prefs/profile';
import type { Logger } from '../app/logger';
import { assetRoutes } from './assets';
import { requirePageSession, safeNext } from './session';
import type { Workspace } from './workspace';
import { listPage } from './pages/list';
import { formPage } from './pages/form';
import { historyFragment, parseRecordId, recordPage, relatedFragment } from './pages/record';
import { desktopPage, type DesktopCounters } from './pages/desktop';
import { profilePage } from './pages/profile';
import { searchPage } from './pages/search';
import { dataFormCode, dataFormPage, detailTable } from './pages/data-form';
import type { FormService } from '../forms/service';
import type { Flows } from '../flows';
import type { Notifications } from '../notify';
import { messagesPage } from './pages/messages';
import { definitionPage, definitionsPage, inboxPage, instancePage, resubmitPage, startListPage, startPage } from './pages/flows';
import { recordApprovals } from './pages/flow-start';
import { delegationsPage } from './pages/flow-delegations';
import type { FormRecords } from '../forms/records';
import { sessionCookie } from '../api/auth';
import { adminPages, type AdminServices } from './admin';

export interface WorkspaceRouteDeps {
  ws: Workspace;
  sessions: Sessions;
  related: RelatedTabs;
  preferences: Preferences;
  views: SavedViews;
  profiles: Profiles;
  log: Logger;
  counters: DesktopCounters;
  forms: FormService;
  formRecords: FormRecords;
  admin: AdminServices;
  flows: Flows;
  notifications: Notifications | null;
}

/**
 * Content-Security-Policy of workspace pages: scripts and styles only from this site (no
 * inline script or style), no framing, no plugins, forms and fetches to this site only.
 */
const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'";

async function pageHeaders(ctx: Context, next: Next): Promise<void> {
  await next();
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
}

/** Errors on a page become an error page in the viewer's language (never a JSON body or a stack). */
function pageErrors(deps: WorkspaceRouteDeps) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new NotFoundError();
    } catch (err) {
      const status = err instanceof PlinthError ? err.status : 500;
      if (status >= 500) deps.log.error({ requestId: ctx.state.requestId, err }, 'page failed');
      const key = status === 403 ? 'error.forbidden' : status === 404 ? 'error.notFound' : status === 409 ? 'error.conflict' : 'error.server';
      if (!ctx.state.pageUser) {
        deps.ws.sendAnonymous(ctx, { page: 'error', title: String(status), status, data: { status, key } });
        return;
      }
      await deps.ws.send(ctx, { page: 'error', title: await deps.ws.t(ctx, key), status, data: { status, key, detail: status < 500 && err instanceof Error ? err.message : null } });
    }
  };
}

/** The workspace: login, desktop, every entity's list, record and form pages, profile, theme assets. */
export function workspaceRouter(deps: WorkspaceRouteDeps): Router {
  const { ws } = deps;
  const router = new Router();
  assetRoutes(router, ws.deps.views);
  const pages = new Router();
  pages.use(pageHeaders, pageErrors(deps));

  pages.get('/login', async (ctx) => {
    const token = sessionCookie(ctx);
    if (token && (await deps.sessions.resolve(token))?.kind === 'session') {
      ctx.redirect(safeNext(ctx.query.next));
      return;
    }
    ws.sendAnonymous(ctx, { page: 'login', title: 'Plinth', scripts: ['js/login.js'], messages: ['login.'], client: { next: safeNext(ctx.query.next) }, data: { next: safeNext(ctx.query.next) } });
  });

  const session = requirePageSession(deps.sessions);
  const entityOf = (ctx: Context) => {
    const entity = ws.deps.store().meta.byPluralName(ctx.params.plural);
    if (!entity) throw new NotFoundError(`No page "${ctx.params.plural}"`);
    return entity;
  };
  pages.get('/', session, (ctx) => desktopPage(ctx, ws, deps.preferences, deps.counters));
  pages.get('/search', session, (ctx) => searchPage(ctx, ws));
  pages.get('/messages', session, async (ctx) => {
    if (!deps.notifications) throw new NotFoundError();
    await messagesPage(ctx, ws, deps.notifications);
  });
  adminPages(pages, session, { ws, related: deps.related, ...deps.admin });
  pages.get('/flows', session, (ctx) => ctx.redirect('/flows/inbox/todo'));
  pages.get('/flows/inbox/:box', session, (ctx) => inboxPage(ctx, ctx.params.box, ws, deps.flows));
  pages.get('/flows/delegations', session, (ctx) => delegationsPage(ctx, ws, deps.flows));
  pages.get('/flows/start', session, (ctx) => startListPage(ctx, ws, deps.flows));
  pages.get('/flows/start/:code', session, (ctx) => startPage(ctx, ctx.params.code, ws, deps.flows, deps.forms));
  pages.get('/flows/definitions', session, (ctx) => definitionsPage(ctx, ws, deps.flows));
  pages.get('/flows/definitions/:code', session, (ctx) => definitionPage(ctx, ctx.params.code, ws, deps.flows));
  pages.get('/flows/instances/:id/resubmit', session, (ctx) => resubmitPage(ctx, ctx.params.id, ws, deps.flows, deps.forms));
  pages.get('/flows/instances/:id', session, (ctx) => instancePage(ctx, ctx.params.id, ws, deps.flows, deps.forms));
  pages.get('/profile', session, (ctx) => profilePage(ctx, ws, deps.profiles, false));
  pages.get('/profile/password', session, (ctx) => profilePage(ctx, ws, deps.profiles, true));
  pages.get('/app/:plural', session, (ctx) => listPage(ctx, entityOf(ctx), deps));
  // Data forms (自定义表单) are filled in from their definition: layout, detail table, formulas.
  const dataForm = (ctx: Context, id: number | null) => dataFormPage(ctx, ctx.params.code, id, ws, deps.forms, deps.formRecords);
  pages.get('/app/forms/:code/new', session, (ctx) => dataForm(ctx, null));
  pages.get('/app/forms/:code/:id/edit', session, (ctx) => dataForm(ctx, parseRecordId(ctx.params.id)));
  const formCodeOf = (ctx: Context) => {
    const entity = entityOf(ctx);
    return dataFormCode(entity.name, entity.plugin);
  };
  pages.get('/app/:plural/new', session, (ctx) => {
    const code = formCodeOf(ctx);
    return code ? ctx.redirect(`/app/forms/${code}/new`) : formPage(ctx, entityOf(ctx), null, ws);
  });
  pages.get('/app/:plural/:id', session, async (ctx) => {
    const id = parseRecordId(ctx.params.id);
    const code = formCodeOf(ctx);
    const detail = code ? await detailTable(ctx, code, id, ws, deps.forms, deps.formRecords) : null;
    const entity = entityOf(ctx);
    await recordPage(ctx, entity, id, ws, deps.related, { detail, approvals: (record) => recordApprovals(ctx, entity, id, record, ws, deps.flows) });
  });
  pages.get('/app/:plural/:id/edit', session, (ctx) => {
    const code = formCodeOf(ctx);
    return code ? ctx.redirect(`/app/forms/${code}/${parseRecordId(ctx.params.id)}/edit`) : formPage(ctx, entityOf(ctx), parseRecordId(ctx.params.id), ws);
  });
  pages.get('/app/:plural/:id/tabs/history', session, (ctx) => historyFragment(ctx, entityOf(ctx), parseRecordId(ctx.params.id), ws));
  pages.get('/app/:plural/:id/tabs/related/:key', session, (ctx) => relatedFragment(ctx, entityOf(ctx), parseRecordId(ctx.params.id), ctx.params.key, ws, deps.related));
  router.use(pages.routes());
  return router;
}
