import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { ForbiddenError, NotFoundError, ValidationError, type Actor, type FieldError } from '@plinth/sdk';
import { HttpError } from '../app/errors';
import type { AuthConfig } from '../app/config';
import type { RecordStore } from '../services/records';
import { MAX_PASSWORD_LENGTH } from '../auth/passwords';
import { RetryLaterError, type AuthInfo, type RequestInfo, type Sessions } from '../auth/sessions';
import { parseScopes, requirementOf, scopesAllow, type ScopeLookup } from '../auth/scopes';
import { SESSION_PREFIX, csrfFor, sameSecret, sha256 } from '../auth/tokens';

export const SESSION_COOKIE = 'plinth_session';
export const CSRF_COOKIE = 'plinth_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
/** Paths under /api/v1 that need no login. */
export const PUBLIC_AUTH_PATHS = ['/api/v1/auth/login', '/api/v1/auth/password-policy'];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,200}$/;

/** How a request authenticated: the token, whether it came as a bearer header or a cookie, what it stands for. */
export interface AuthState {
  info: AuthInfo;
  via: 'bearer' | 'cookie';
  token: string;
}

export function bearerToken(ctx: Context): string | null {
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(ctx.get('authorization'));
  return m ? m[1] : null;
}

const requestInfo = (ctx: Context): RequestInfo => ({ ip: ctx.ip, requestId: ctx.state.requestId as string | undefined });
const actorOf = (ctx: Context): Actor => ctx.state.actor as Actor;
const authOf = (ctx: Context): AuthState => ctx.state.auth as AuthState;

// ---- cookies ------------------------------------------------------------------------

function cookie(name: string, value: string, cfg: AuthConfig, ctx: Context, options: { httpOnly: boolean; maxAge: number }): string {
  const secure = cfg.cookieSecure === 'always' || (cfg.cookieSecure === 'auto' && ctx.secure);
  return `${name}=${value}; Path=/; Max-Age=${options.maxAge}${options.httpOnly ? '; HttpOnly' : ''}${secure ? '; Secure' : ''}; SameSite=${cfg.cookieSameSite}`;
}

/** The session cookie (HTTP-only) and the CSRF cookie (readable by the page's scripts, for double submit). */
function setSessionCookies(ctx: Context, cfg: AuthConfig, token: string, maxAge: number): void {
  ctx.append('Set-Cookie', cookie(SESSION_COOKIE, token, cfg, ctx, { httpOnly: true, maxAge }));
  ctx.append('Set-Cookie', cookie(CSRF_COOKIE, csrfFor(token), cfg, ctx, { httpOnly: false, maxAge }));
}

function clearSessionCookies(ctx: Context, cfg: AuthConfig): void {
  ctx.append('Set-Cookie', cookie(SESSION_COOKIE, '', cfg, ctx, { httpOnly: true, maxAge: 0 }));
  ctx.append('Set-Cookie', cookie(CSRF_COOKIE, '', cfg, ctx, { httpOnly: false, maxAge: 0 }));
}

export function sessionCookie(ctx: Context): string | null {
  const value = ctx.cookies.get(SESSION_COOKIE);
  return value && TOKEN_SHAPE.test(value) && value.startsWith(SESSION_PREFIX) ? value : null;
}

// ---- the gate in front of every API route ---------------------------------------------

/** Calls a session with an expired (or reset) password may still make. */
function allowedWhilePasswordExpired(method: string, apiPath: string): boolean {
  return (method === 'GET' && apiPath === '/auth/me') || (method === 'POST' && ['/auth/password', '/auth/logout', '/auth/logout-all'].includes(apiPath));
}

const NOTHING_KNOWN: ScopeLookup = { entityOf: () => null, formEntityOf: () => null, expansionTargets: () => [] };

/**
 * Every API request except the public ones carries a valid bearer token (a login
 * session or an API token) or the session cookie. Cookie-authenticated requests that
 * change state must echo the CSRF token in `X-CSRF-Token`; bearer requests need none
 * (a foreign page cannot set the header). API tokens are held to their scopes; a
 * session whose password has expired may only change it.
 */
export function requireActor(sessions: Sessions, isPublic: (ctx: Context) => boolean, lookup: ScopeLookup = NOTHING_KNOWN) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (isPublic(ctx)) return next();
    let token: string | null;
    let via: AuthState['via'];
    if (ctx.get('authorization')) {
      token = bearerToken(ctx);
      via = 'bearer';
    } else {
      token = sessionCookie(ctx);
      via = 'cookie';
      if (token && !SAFE_METHODS.has(ctx.method)) {
        const sent = ctx.get(CSRF_HEADER);
        if (!sent || !sameSecret(sent, csrfFor(token))) {
          throw new HttpError(403, 'csrf', `A request authenticated by the session cookie must send the ${CSRF_HEADER} header (csrfToken from the login, or the ${CSRF_COOKIE} cookie)`);
        }
      }
    }
    const info = token ? await sessions.resolve(token) : null;
    if (!info || (via === 'cookie' && info.kind !== 'session')) {
      if (via === 'cookie' && token) clearSessionCookies(ctx, sessions.auth);
      ctx.set('WWW-Authenticate', 'Bearer realm="plinth"');
      throw new HttpError(401, 'unauthenticated', token ? 'The session or token is invalid or expired; log in again' : 'Log in first: POST /api/v1/auth/login, then send Authorization: Bearer <token>');
    }
    ctx.state.actor = { ...info.actor, origin: { ip: ctx.ip, requestId: ctx.state.requestId as string } };
    ctx.state.auth = { info, via, token: token! } satisfies AuthState;
    const apiPath = ctx.path.slice('/api/v1'.length);
    if (info.passwordExpired && !allowedWhilePasswordExpired(ctx.method, apiPath)) {
      throw new HttpError(403, 'password-expired', 'The password has expired or was reset: change it first (POST /api/v1/auth/password with currentPassword and newPassword)');
    }
    if (info.kind === 'token') {
      const need = requirementOf({ method: ctx.method, path: apiPath, body: ctx.request.body, query: ctx.query }, lookup);
      if (need.kind === 'credentials') throw new HttpError(403, 'token-not-allowed', 'API tokens cannot manage tokens, passwords or sessions; log in as the user');
      const missing = need.needs.find(([entity, action]) => !scopesAllow(info.scopes ?? [], entity, action));
      if (missing) {
        const [entity, action] = missing;
        throw new HttpError(403, 'insufficient-scope', `The API token's scopes (${(info.scopes ?? []).join(', ')}) do not allow ${action === '*' ? 'writing' : action} ${entity === '*' ? 'here' : `on ${entity}`}`);
      }
    }
    return next();
  };
}

// ---- body helpers -----------------------------------------------------------------------

function objectBody(ctx: Context, optional = false): Record<string, unknown> {
  const body = ctx.request.body;
  if (body === undefined && optional) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'The body must be a JSON object' }]);
  return body as Record<string, unknown>;
}

function only(body: Record<string, unknown>, allowed: readonly string[]): FieldError[] {
  return Object.keys(body).filter((k) => !allowed.includes(k)).map((k) => ({ field: k, rule: 'unknown', message: `Unknown field ${k}` }));
}

function requiredString(body: Record<string, unknown>, key: string, max: number, errors: FieldError[]): string {
  const v = body[key];
  if (typeof v !== 'string' || v.length === 0) errors.push({ field: key, rule: 'required', message: `${key} is required` });
  else if (v.length > max) errors.push({ field: key, rule: 'maxLength', message: `${key} must be at most ${max} characters` });
  return typeof v === 'string' ? v : '';
}

function optionalBoolean(body: Record<string, unknown>, key: string, fallback: boolean, errors: FieldError[]): boolean {
  const v = body[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') errors.push({ field: key, rule: 'type', message: `${key} must be true or false` });
  return v === true;
}

function idParam(raw: string | undefined, name = 'id'): number {
  if (!raw || !/^[1-9]\d{0,15}$/.test(raw)) throw new ValidationError([{ field: name, rule: 'type', message: `${name} must be a positive integer` }]);
  return Number(raw);
}

// ---- who may manage whose credentials ---------------------------------------------------

/**
 * System administrators manage everyone's credentials. Others need the right to update
 * the user record under the permission layer (a branch administrator: users of their
 * branch), and never an administrator's. A user the caller cannot read is "not found".
 */
async function authorizeUserAdmin(store: RecordStore, sessions: Sessions, actor: Actor, userId: number): Promise<void> {
  if (actor.isAdmin) {
    const rows = await store.db.all('SELECT id FROM plinth_users WHERE id = ? AND deleted_at IS NULL', [userId]);
    if (!rows.length) throw new NotFoundError(`user ${userId} not found`);
    return;
  }
  const entity = store.entity('user');
  const access = await store.access.profile(actor);
  if (!access.can('user', 'update')) throw new ForbiddenError("Only administrators may manage other users' credentials");
  const repo = store.repository('user');
  if (!(await repo.matching(store.db, [userId], store.planner.rowCondition(entity, 't', access))).has(userId)) throw new NotFoundError(`user ${userId} not found`);
  if (!(await repo.matching(store.db, [userId], store.planner.rowCondition(entity, 't', access, { action: 'update' }))).has(userId)) {
    throw new ForbiddenError(`user ${userId} is outside the users you may manage`);
  }
  if (userId === actor.userId) throw new ForbiddenError('Change your own password with POST /api/v1/auth/password');
  if (await sessions.isAdminUser(userId)) throw new ForbiddenError("Only system administrators may manage an administrator's credentials");
}

// ---- routes -----------------------------------------------------------------------------

const DEFAULT_TOKEN_DAYS = 90;

export function authRoutes(router: Router, sessions: Sessions, store: () => RecordStore): void {
  const cfg = sessions.auth;

  router.post('/auth/login', async (ctx) => {
    const body = objectBody(ctx);
    const errors = only(body, ['username', 'password', 'cookie']);
    const username = requiredString(body, 'username', 200, errors);
    const password = requiredString(body, 'password', MAX_PASSWORD_LENGTH, errors);
    const wantsCookie = optionalBoolean(body, 'cookie', false, errors);
    if (errors.length) throw new ValidationError(errors);
    const previous = sessionCookie(ctx);
    let result;
    try {
      result = await sessions.login(username, password, requestInfo(ctx), { replace: previous ? sha256(previous) : undefined, via: wantsCookie ? 'cookie' : 'bearer' });
    } catch (err) {
      if (err instanceof RetryLaterError) ctx.set('Retry-After', String(err.retryAfter));
      throw err;
    }
    if (!result) throw new HttpError(401, 'invalid-credentials', 'Wrong username or password');
    ctx.set('Cache-Control', 'no-store');
    if (!wantsCookie) {
      ctx.body = result;
      return;
    }
    // A browser session: the token goes only into the HTTP-only cookie.
    setSessionCookies(ctx, cfg, result.token, Math.max(1, Math.floor((Date.parse(result.expiresAt) - sessions.clock.now()) / 1000)));
    const { token, ...rest } = result;
    ctx.body = { ...rest, csrfToken: csrfFor(token) };
  });

  router.post('/auth/logout', async (ctx) => {
    const auth = authOf(ctx);
    await sessions.logout(auth.token, requestInfo(ctx));
    if (auth.via === 'cookie') clearSessionCookies(ctx, cfg);
    ctx.status = 204;
  });

  router.post('/auth/logout-all', async (ctx) => {
    const body = objectBody(ctx, true);
    const errors = only(body, ['tokens']);
    const tokens = optionalBoolean(body, 'tokens', false, errors);
    if (errors.length) throw new ValidationError(errors);
    const actor = actorOf(ctx);
    ctx.body = await sessions.logoutEverywhere(actor.userId!, { tokens }, actor);
    if (authOf(ctx).via === 'cookie') clearSessionCookies(ctx, cfg);
  });

  router.get('/auth/me', (ctx) => {
    const { info, via, token } = authOf(ctx);
    ctx.body = {
      ...actorOf(ctx),
      authType: info.kind,
      via,
      expiresAt: new Date(info.expiresAt).toISOString(),
      passwordExpired: info.passwordExpired,
      ...(info.kind === 'token' ? { tokenId: info.tokenId, scopes: info.scopes } : {}),
      ...(via === 'cookie' ? { csrfToken: csrfFor(token) } : {}),
    };
  });

  router.get('/auth/password-policy', (ctx) => {
    ctx.body = sessions.policy.view;
  });

  router.post('/auth/password', async (ctx) => {
    const body = objectBody(ctx);
    const errors = only(body, ['currentPassword', 'newPassword']);
    const current = requiredString(body, 'currentPassword', MAX_PASSWORD_LENGTH, errors);
    const next = requiredString(body, 'newPassword', 10_000, errors);
    if (errors.length) throw new ValidationError(errors);
    try {
      await sessions.changePassword(authOf(ctx).info, current, next, requestInfo(ctx));
    } catch (err) {
      if (err instanceof RetryLaterError) {
        ctx.set('Retry-After', String(err.retryAfter));
        if (authOf(ctx).via === 'cookie') clearSessionCookies(ctx, cfg);
      }
      throw err;
    }
    ctx.status = 204;
  });

  // API tokens

  router.get('/auth/tokens', async (ctx) => {
    const actor = actorOf(ctx);
    const extra = Object.keys(ctx.query).filter((k) => k !== 'userId' && k !== 'all');
    if (extra.length) throw new ValidationError(extra.map((k) => ({ field: k, rule: 'unknown-parameter', message: `Unknown parameter ${k}` })));
    const all = ctx.query.all === 'true';
    const userId = ctx.query.userId === undefined ? actor.userId! : idParam(String(ctx.query.userId), 'userId');
    if ((all || userId !== actor.userId) && !actor.isAdmin) throw new ForbiddenError("Only administrators may list other users' tokens");
    ctx.body = { data: await sessions.listTokens(all ? {} : { userId }) };
  });

  router.post('/auth/tokens', async (ctx) => {
    const actor = actorOf(ctx);
    const body = objectBody(ctx);
    const errors = only(body, ['name', 'scopes', 'expiresAt', 'expiresInDays', 'userId']);
    const name = requiredString(body, 'name', 100, errors).trim();
    const { scopes, errors: scopeErrors } = parseScopes(body.scopes, (e) => store().meta.get(e) !== undefined);
    errors.push(...scopeErrors);
    const now = sessions.clock.now();
    const max = now + cfg.tokenMaxDays * 86_400_000;
    let expiresAt = now + Math.min(DEFAULT_TOKEN_DAYS, cfg.tokenMaxDays) * 86_400_000;
    if (body.expiresAt !== undefined && body.expiresInDays !== undefined) errors.push({ field: 'expiresAt', rule: 'exclusive', message: 'Send expiresAt or expiresInDays, not both' });
    if (body.expiresInDays !== undefined) {
      const d = body.expiresInDays;
      if (!Number.isInteger(d) || (d as number) < 1 || (d as number) > cfg.tokenMaxDays) errors.push({ field: 'expiresInDays', rule: 'range', message: `expiresInDays must be an integer from 1 to ${cfg.tokenMaxDays}` });
      else expiresAt = now + (d as number) * 86_400_000;
    }
    if (body.expiresAt !== undefined) {
      const t = typeof body.expiresAt === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(body.expiresAt) ? Date.parse(body.expiresAt) : NaN;
      if (Number.isNaN(t)) errors.push({ field: 'expiresAt', rule: 'format', message: 'expiresAt must be an ISO 8601 date-time' });
      else if (t <= now || t > max) errors.push({ field: 'expiresAt', rule: 'range', message: `expiresAt must be in the future and at most ${cfg.tokenMaxDays} days away` });
      else expiresAt = t;
    }
    let userId = actor.userId!;
    if (body.userId !== undefined) {
      if (!Number.isInteger(body.userId) || (body.userId as number) < 1) errors.push({ field: 'userId', rule: 'type', message: 'userId must be a user id' });
      else userId = body.userId as number;
    }
    if (errors.length) throw new ValidationError(errors);
    if (userId !== actor.userId && !actor.isAdmin) throw new ForbiddenError('Only administrators may create tokens for other users');
    const created = await sessions.createToken(userId, { name, scopes, expiresAt }, actor);
    ctx.status = 201;
    ctx.set('Location', `/api/v1/auth/tokens/${created.id}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = created;
  });

  router.delete('/auth/tokens/:id', async (ctx) => {
    const actor = actorOf(ctx);
    await sessions.revokeToken(idParam(ctx.params.id), actor, actor.isAdmin ? null : actor.userId);
    ctx.status = 204;
  });

  // Administrators on a user's credentials

  router.post('/users/:id/password', async (ctx) => {
    const actor = actorOf(ctx);
    const id = idParam(ctx.params.id);
    const body = objectBody(ctx);
    const errors = only(body, ['password', 'mustChange', 'revokeTokens']);
    const password = requiredString(body, 'password', 10_000, errors);
    const mustChange = optionalBoolean(body, 'mustChange', true, errors);
    const revokeTokens = optionalBoolean(body, 'revokeTokens', false, errors);
    if (errors.length) throw new ValidationError(errors);
    await authorizeUserAdmin(store(), sessions, actor, id);
    ctx.body = await sessions.resetPassword(id, password, { mustChange, revokeTokens }, actor);
  });

  router.post('/users/:id/unlock', async (ctx) => {
    const actor = actorOf(ctx);
    const id = idParam(ctx.params.id);
    await authorizeUserAdmin(store(), sessions, actor, id);
    ctx.body = { unlocked: await sessions.unlock(id, actor) };
  });

  router.post('/users/:id/logout', async (ctx) => {
    const actor = actorOf(ctx);
    const id = idParam(ctx.params.id);
    const body = objectBody(ctx, true);
    const errors = only(body, ['tokens']);
    const tokens = optionalBoolean(body, 'tokens', false, errors);
    if (errors.length) throw new ValidationError(errors);
    await authorizeUserAdmin(store(), sessions, actor, id);
    ctx.body = await sessions.logoutEverywhere(id, { tokens }, actor);
  });
}
