import type { Context, Next } from 'koa';
import type { Actor } from '@plinth/sdk';
import { sessionCookie } from '../api/auth';
import { csrfFor } from '../auth/tokens';
import type { AuthInfo, Sessions } from '../auth/sessions';

/** Who is looking at a workspace page. */
export interface PageUser {
  actor: Actor;
  info: AuthInfo;
  /** The CSRF token the page's scripts send with every change (double submit with the cookie). */
  csrf: string;
}

export const pageUserOf = (ctx: Context): PageUser => ctx.state.pageUser as PageUser;

/** Where to go back to after logging in: only a path of this site. */
export function safeNext(raw: unknown): string {
  return typeof raw === 'string' && /^\/(?![/\\])[^\s]*$/.test(raw) && !raw.startsWith('/api/') ? raw : '/';
}

/**
 * Workspace pages need a browser session (the HTTP-only cookie set by the login page).
 * Without one a GET goes to the login page and comes back after; a session whose password
 * has expired may only see the password page.
 */
export function requirePageSession(sessions: Sessions) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const token = sessionCookie(ctx);
    const info = token ? await sessions.resolve(token) : null;
    if (!info || info.kind !== 'session') {
      ctx.redirect(`/login?next=${encodeURIComponent(ctx.originalUrl)}`);
      return;
    }
    const actor: Actor = { ...info.actor, origin: { ip: ctx.ip, requestId: ctx.state.requestId as string } };
    ctx.state.actor = actor;
    ctx.state.pageUser = { actor, info, csrf: csrfFor(token!) } satisfies PageUser;
    if (info.passwordExpired && ctx.path !== '/profile/password') {
      ctx.redirect('/profile/password?expired=1');
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}
