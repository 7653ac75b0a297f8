import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { ValidationError, type Actor, type FieldError } from '@plinth/sdk';
import { HttpError } from '../app/errors';
import type { Sessions } from '../auth/sessions';

export function bearerToken(ctx: Context): string | null {
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(ctx.get('authorization'));
  return m ? m[1] : null;
}

/** Every API request except the public ones carries a valid bearer token. */
export function requireActor(sessions: Sessions, isPublic: (ctx: Context) => boolean) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (isPublic(ctx)) return next();
    const token = bearerToken(ctx);
    const actor: Actor | null = token ? await sessions.authenticate(token) : null;
    if (!actor) {
      ctx.set('WWW-Authenticate', 'Bearer realm="plinth"');
      throw new HttpError(401, 'unauthenticated', token ? 'The token is invalid or expired; log in again' : 'Log in first: POST /api/v1/auth/login, then send Authorization: Bearer <token>');
    }
    ctx.state.actor = { ...actor, origin: { ip: ctx.ip, requestId: ctx.state.requestId as string } };
    return next();
  };
}

export function authRoutes(router: Router, sessions: Sessions): void {
  router.post('/auth/login', async (ctx) => {
    const body = ctx.request.body as Record<string, unknown> | undefined;
    const errors: FieldError[] = [];
    for (const key of ['username', 'password'] as const) {
      const v = body?.[key];
      if (typeof v !== 'string' || v.length === 0 || v.length > 200) errors.push({ field: key, rule: 'required', message: `${key} is required` });
    }
    if (errors.length) throw new ValidationError(errors);
    const result = await sessions.login(body!.username as string, body!.password as string);
    if (!result) throw new HttpError(401, 'invalid-credentials', 'Wrong username or password');
    ctx.body = result;
  });
  router.post('/auth/logout', async (ctx) => {
    const token = bearerToken(ctx);
    if (token) await sessions.logout(token);
    ctx.status = 204;
  });
  router.get('/auth/me', (ctx) => {
    ctx.body = ctx.state.actor;
  });
}
