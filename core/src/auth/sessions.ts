import type { Actor, FieldError } from '@plinth/sdk';
import { NotFoundError, ValidationError } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { toDbDateTime } from '../data/codec';
import type { AuthConfig, RedisConfig } from '../app/config';
import type { Logger } from '../app/logger';
import { HttpError } from '../app/errors';
import { AuditLog, type AuditEntry } from '../audit/log';
import { decoyHash, hashPassword, PasswordPolicy, verifyPassword } from './passwords';
import { DatabaseSessionStore, RedisSessionStore, type SessionStore } from './store';
import { NO_BUS, RedisLink, type Revocation, type RevocationBus } from './redis';
import { LoginThrottle } from './throttle';
import { API_TOKEN_PREFIX, Clock, SESSION_PREFIX, dbTime, newSecret, sha256 } from './tokens';

export interface LoginResult {
  token: string;
  expiresAt: string;
  /** The password has expired or was reset: only changing it is allowed until then. */
  passwordExpired: boolean;
  user: { id: number; username: string; displayName: string; isAdmin: boolean };
}

/** Where a request comes from, for the operation log. */
export interface RequestInfo {
  ip?: string;
  requestId?: string;
}

/** What a bearer token or session cookie stands for. */
export interface AuthInfo {
  actor: Actor;
  kind: 'session' | 'token';
  /** SHA-256 of the token: identifies the session. */
  hash: string;
  expiresAt: number;
  /** Sessions only: the password must be changed before anything else. */
  passwordExpired: boolean;
  /** API tokens only. */
  tokenId?: number;
  scopes?: readonly string[];
}

export interface ApiTokenView {
  id: number;
  userId: number;
  name: string;
  scopes: string[];
  createdAt: string;
  createdBy: number | null;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}

/** A refusal with a Retry-After (seconds): locked account, throttled address. */
export class RetryLaterError extends HttpError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly retryAfter: number,
  ) {
    super(status, code, message);
  }
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  is_admin: number | boolean;
  password_changed_at: string;
  must_change: number | boolean | null;
}

/** Whether a user is a system administrator: the flag, or the built-in `admin` role. */
const IS_ADMIN = `(u.is_admin = 1 OR EXISTS (SELECT 1 FROM plinth_user_roles ur JOIN plinth_roles r ON r.id = ur.role_id
  WHERE ur.user_id = u.id AND r.code = 'admin' AND ur.deleted_at IS NULL AND r.deleted_at IS NULL))`;
const LIVE_USER = "u.deleted_at IS NULL AND u.status = 'active'";
const truthy = (v: unknown) => v === 1 || v === true || v === '1';
const iso = (ms: number) => new Date(ms).toISOString();

const CACHE_MAX = 10_000;
/** `last_used_at` of an API token is written at most this often. */
const LAST_USED_EVERY_MS = 60_000;
const SWEEP_EVERY_MS = 10 * 60_000;

export interface SessionsOptions {
  ttlSeconds: number;
  auth: AuthConfig;
  audit?: AuditLog;
}

/**
 * Logins, sessions and API tokens. Tokens are random 256-bit strings (`pls_…` for login
 * sessions, `plt_…` for API tokens); only their SHA-256 is stored — sessions in the
 * database or in Redis, API tokens in the database. A node trusts a token it has checked
 * for AUTH_CACHE_SECONDS; with Redis, revocations are published and applied at once.
 */
export class Sessions {
  readonly clock = new Clock();
  readonly policy: PasswordPolicy;
  private readonly cache = new Map<string, { info: AuthInfo; checked: number }>();
  /** Bumped by every revocation, so a lookup that raced with one is not cached. */
  private generation = 0;
  private readonly audit: AuditLog;
  private readonly throttle: LoginThrottle;
  readonly auth: AuthConfig;
  private readonly ttlSeconds: number;
  private store: SessionStore;
  private bus: RevocationBus = NO_BUS;
  private lastSweep = 0;

  constructor(
    private readonly db: Executor,
    o: SessionsOptions,
  ) {
    this.ttlSeconds = o.ttlSeconds;
    this.auth = o.auth;
    this.audit = o.audit ?? new AuditLog(db);
    this.policy = new PasswordPolicy(o.auth);
    this.throttle = new LoginThrottle(db, this.clock);
    this.store = new DatabaseSessionStore(db);
  }

  /** Connect to Redis when configured: sessions move there and revocations are published. */
  async start(redis: RedisConfig | null | undefined, log: Logger): Promise<void> {
    await decoyHash(); // computed once, so even the first unknown-user login takes the usual time
    if (!redis) return;
    const link = await RedisLink.connect(redis, log, (r) => this.forget(r));
    this.bus = link;
    this.store = new RedisSessionStore(link.client, link.prefix, this.ttlSeconds * 1000);
  }

  get storeKind(): SessionStore['kind'] {
    return this.store.kind;
  }

  async close(): Promise<void> {
    await this.bus.close();
    this.bus = NO_BUS;
  }

  // ---- users and passwords ------------------------------------------------------------

  /**
   * Create the initial administrator when no user of that name exists. `createUser`
   * writes the user record through the record service (validation, hooks).
   */
  async ensureAdmin(username: string, password: string, createUser: (tx: Executor, data: Record<string, unknown>) => Promise<{ id: number }>): Promise<void> {
    const rows = await this.db.all('SELECT id FROM plinth_users WHERE username = ?', [username]);
    if (rows.length) return;
    const hash = await hashPassword(password);
    await this.db.transaction(async (tx) => {
      const user = await createUser(tx, { username, displayName: 'Administrator', isAdmin: true, status: 'active' });
      await tx.run('UPDATE plinth_users SET owner_id = ? WHERE id = ?', [user.id, user.id]);
      await this.storePassword(tx, user.id, hash, false);
    });
  }

  /** Set (or reset) a user's password without policy checks or side effects (set-up, tests). */
  async setPassword(userId: number, password: string): Promise<void> {
    const hash = await hashPassword(password);
    await this.db.transaction((tx) => this.storePassword(tx, userId, hash, false));
  }

  /** Write a new password hash, remember it in the history, and keep the history short. */
  private async storePassword(tx: Executor, userId: number, hash: string, mustChange: boolean): Promise<void> {
    const now = this.clock.db();
    const done = await tx.run('UPDATE plinth_credentials SET password_hash = ?, password_changed_at = ?, must_change = ? WHERE user_id = ?', [hash, now, mustChange ? 1 : 0, userId]);
    if (done.affectedRows === 0) {
      await tx.run('INSERT INTO plinth_credentials (user_id, password_hash, password_changed_at, must_change) VALUES (?, ?, ?, ?)', [userId, hash, now, mustChange ? 1 : 0]);
    }
    const keep = Math.max(1, this.auth.passwordHistory);
    await tx.run('INSERT INTO plinth_password_history (user_id, password_hash, created_at) VALUES (?, ?, ?)', [userId, hash, now]);
    const old = await tx.all<{ id: number }>('SELECT id FROM plinth_password_history WHERE user_id = ? ORDER BY id DESC', [userId]);
    const drop = old.slice(keep).map((r) => Number(r.id));
    if (drop.length) await tx.run(`DELETE FROM plinth_password_history WHERE id IN (${drop.map(() => '?').join(', ')})`, drop);
  }

  /** Every rule `password` breaks for this user, the history included. */
  private async violations(userId: number, username: string, password: string, field: string): Promise<FieldError[]> {
    const errors = this.policy.check(password, username, field);
    if (this.auth.passwordHistory > 0 && errors.length === 0) {
      const rows = await this.db.all<{ password_hash: string }>('SELECT password_hash FROM plinth_password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?', [userId, this.auth.passwordHistory]);
      if (await PasswordPolicy.reused(password, rows.map((r) => r.password_hash))) {
        errors.push({ field, rule: 'history', message: `The password must differ from the last ${this.auth.passwordHistory} passwords` });
      }
    }
    return errors;
  }

  private async userRow(where: string, param: unknown): Promise<UserRow | undefined> {
    const rows = await this.db.all<UserRow>(
      `SELECT u.id, u.username, u.display_name, c.password_hash, c.password_changed_at, c.must_change, ${IS_ADMIN} AS is_admin
         FROM plinth_users u JOIN plinth_credentials c ON c.user_id = u.id
        WHERE ${where} AND ${LIVE_USER}`,
      [param],
    );
    return rows[0];
  }

  private passwordExpired(row: Pick<UserRow, 'must_change' | 'password_changed_at'>, now: number): boolean {
    return truthy(row.must_change) || this.policy.expired(dbTime(row.password_changed_at), now);
  }

  /**
   * A user changes their own password: the current one is checked (a wrong one counts as
   * a failed login), the new one against the policy and the history. Every other session
   * of the user ends; the current one stays.
   */
  async changePassword(auth: AuthInfo, current: string, next: string, req: RequestInfo): Promise<void> {
    const actor = { ...auth.actor, origin: req };
    const user = await this.userRow('u.id = ?', auth.actor.userId);
    if (!user) throw new NotFoundError('No such user');
    const key = LoginThrottle.userKey(user.username);
    const lock = (await this.throttle.locks([key])).get(key);
    if (lock) throw this.lockedError(lock);
    if (!(await verifyPassword(user.password_hash, current))) {
      const outcome = await this.throttle.fail(key, this.auth.maxFailures, this.auth.lockMinutes * 60_000, this.auth.lockMinutes * 60_000);
      await this.event(actor, { action: 'password-failed', entity: 'user', recordId: user.id, detail: 'wrong current password' });
      if (outcome.lockedNow) {
        await this.event(actor, { action: 'lockout', entity: 'user', recordId: user.id, detail: `locked for ${this.auth.lockMinutes} min after ${this.auth.maxFailures} failures` });
        await this.endSessions(user.id, { tokens: false });
        throw this.lockedError(outcome.lockedUntil!);
      }
      throw new ValidationError([{ field: 'currentPassword', rule: 'mismatch', message: 'The current password is wrong' }], 'The current password is wrong');
    }
    const errors = await this.violations(user.id, user.username, next, 'newPassword');
    if (errors.length) throw new ValidationError(errors, 'The new password breaks the password policy');
    const hash = await hashPassword(next);
    await this.db.transaction((tx) => this.storePassword(tx, user.id, hash, false));
    await this.throttle.clear(key);
    const ended = await this.endSessions(user.id, { tokens: false, keep: auth.kind === 'session' ? auth.hash : undefined });
    await this.event(actor, { action: 'password-change', entity: 'user', recordId: user.id, detail: `other sessions ended: ${ended.sessions}` });
  }

  /**
   * An administrator sets a user's password: policy and history apply, the lock is lifted,
   * every session of the user ends (and their API tokens when asked); with `mustChange`
   * the user has to choose a new password at the next login.
   */
  async resetPassword(userId: number, password: string, options: { mustChange: boolean; revokeTokens: boolean }, actor: Actor): Promise<{ sessions: number; tokens: number }> {
    const rows = await this.db.all<{ id: number; username: string }>('SELECT id, username FROM plinth_users WHERE id = ? AND deleted_at IS NULL', [userId]);
    if (!rows.length) throw new NotFoundError(`user ${userId} not found`);
    const username = rows[0].username;
    const errors = await this.violations(userId, username, password, 'password');
    if (errors.length) throw new ValidationError(errors, 'The password breaks the password policy');
    const hash = await hashPassword(password);
    await this.db.transaction((tx) => this.storePassword(tx, userId, hash, options.mustChange));
    await this.throttle.clear(LoginThrottle.userKey(username));
    const ended = await this.endSessions(userId, { tokens: options.revokeTokens, by: actor.userId });
    await this.event(actor, {
      action: 'password-reset', entity: 'user', recordId: userId,
      detail: `password reset for ${username}${options.mustChange ? ', change required' : ''}; ended ${ended.sessions} sessions, ${ended.tokens} tokens`,
    });
    return ended;
  }

  /** Lift the lock-out of a user (an administrator's action). */
  async unlock(userId: number, actor: Actor): Promise<boolean> {
    const rows = await this.db.all<{ username: string }>('SELECT username FROM plinth_users WHERE id = ? AND deleted_at IS NULL', [userId]);
    if (!rows.length) throw new NotFoundError(`user ${userId} not found`);
    const was = await this.throttle.clear(LoginThrottle.userKey(rows[0].username));
    await this.event(actor, { action: 'unlock', entity: 'user', recordId: userId, detail: `unlocked ${rows[0].username}${was ? '' : ' (was not locked)'}` });
    return was;
  }

  /** Whether a user is a system administrator (the flag or the `admin` role). */
  async isAdminUser(userId: number): Promise<boolean> {
    const rows = await this.db.all<{ is_admin: number | boolean }>(`SELECT ${IS_ADMIN} AS is_admin FROM plinth_users u WHERE u.id = ?`, [userId]);
    return rows.length > 0 && truthy(rows[0].is_admin);
  }

  async adminActor(username: string): Promise<Actor> {
    const rows = await this.db.all<{ id: number }>('SELECT id FROM plinth_users WHERE username = ?', [username]);
    return { userId: rows.length ? Number(rows[0].id) : null, username, isAdmin: true };
  }

  // ---- login and logout -----------------------------------------------------------------

  private lockedError(until: number): RetryLaterError {
    return new RetryLaterError(423, 'account-locked', 'Too many failed logins: the account is locked for a while. Try again later or ask an administrator to unlock it.', this.retryAfter(until));
  }

  private retryAfter(until: number): number {
    return Math.max(1, Math.ceil((until - this.clock.now()) / 1000));
  }

  /**
   * Check a username and password. Unknown users take the same path as real ones (a
   * decoy hash is verified, failures are counted and locked under the name given), so
   * neither the answer nor its timing says whether the name exists. Returns null on
   * wrong credentials; throws 423 when the name is locked and 429 when the address is.
   * `replace` is the session the client already had (its cookie): it ends, so a login
   * always starts a new session id.
   */
  async login(username: string, password: string, req: RequestInfo = {}, options: { replace?: string; via?: string } = {}): Promise<LoginResult | null> {
    const user = await this.userRow('u.username = ?', username);
    const actor: Actor = { userId: user ? Number(user.id) : null, username: user ? user.username : username.slice(0, 64), isAdmin: false, origin: req };
    const userKey = LoginThrottle.userKey(user ? user.username : username);
    const ipKey = LoginThrottle.ipKey(req.ip ?? 'unknown');
    const locks = await this.throttle.locks([userKey, ipKey]);
    const ipLock = locks.get(ipKey);
    if (ipLock) throw new RetryLaterError(429, 'too-many-attempts', 'Too many failed logins from this address; try again later', this.retryAfter(ipLock));
    const userLock = locks.get(userKey);
    if (userLock) {
      await this.event(actor, { action: 'login-failed', detail: 'refused: account locked' });
      throw this.lockedError(userLock);
    }
    const ok = await verifyPassword(user ? user.password_hash : await decoyHash(), password);
    if (!user || !ok) {
      const lockMs = this.auth.lockMinutes * 60_000;
      const ipMs = this.auth.ipWindowMinutes * 60_000;
      const [u, ip] = await Promise.all([this.throttle.fail(userKey, this.auth.maxFailures, lockMs, lockMs), this.throttle.fail(ipKey, this.auth.ipMaxFailures, ipMs, ipMs)]);
      await this.event(actor, { action: 'login-failed', detail: user ? 'wrong password' : 'unknown user' });
      if (ip.lockedNow) await this.event(actor, { action: 'login-throttled', detail: `address ${req.ip ?? 'unknown'} refused for ${this.auth.ipWindowMinutes} min after ${this.auth.ipMaxFailures} failed logins` });
      if (u.lockedNow) {
        await this.event(actor, { action: 'lockout', entity: user ? 'user' : null, recordId: user ? Number(user.id) : null, detail: `locked for ${this.auth.lockMinutes} min after ${this.auth.maxFailures} failed logins` });
        throw this.lockedError(u.lockedUntil!);
      }
      return null;
    }
    await this.throttle.clear(userKey);
    if (options.replace) await this.endSession(options.replace);
    const token = newSecret(SESSION_PREFIX);
    const now = this.clock.now();
    const expires = now + this.ttlSeconds * 1000;
    await this.store.create(sha256(token), { userId: Number(user.id), createdAt: now, expiresAt: expires });
    const passwordExpired = this.passwordExpired(user, now);
    await this.event({ ...actor, isAdmin: truthy(user.is_admin) }, { action: 'login', detail: `${options.via ?? 'bearer'} session${passwordExpired ? '; password change required' : ''}` });
    await this.maybeSweep(now);
    return {
      token,
      expiresAt: iso(expires),
      passwordExpired,
      user: { id: Number(user.id), username: user.username, displayName: user.display_name, isAdmin: truthy(user.is_admin) },
    };
  }

  private async maybeSweep(now: number): Promise<void> {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    await this.store.sweep(now);
    await this.throttle.sweep(Math.max(this.auth.lockMinutes, this.auth.ipWindowMinutes) * 60_000);
  }

  /** End the session or revoke the API token `token` stands for. */
  async logout(token: string, req?: RequestInfo): Promise<void> {
    const info = await this.resolve(token);
    if (token.startsWith(API_TOKEN_PREFIX)) {
      if (info?.tokenId) await this.revokeToken(info.tokenId, { ...info.actor, origin: req }, null);
      return;
    }
    await this.endSession(sha256(token));
    if (info) await this.event({ ...info.actor, origin: req }, { action: 'logout', detail: 'session ended' });
  }

  private async endSession(hash: string): Promise<void> {
    await this.store.delete(hash);
    await this.revoked({ hash });
  }

  /** Log a user out everywhere: all sessions, and their API tokens when asked. */
  async logoutEverywhere(userId: number, options: { tokens: boolean }, actor: Actor): Promise<{ sessions: number; tokens: number }> {
    const ended = await this.endSessions(userId, { tokens: options.tokens, by: actor.userId });
    await this.event(actor, { action: 'logout-all', entity: 'user', recordId: userId, detail: `ended ${ended.sessions} sessions, ${ended.tokens} tokens` });
    return ended;
  }

  private async endSessions(userId: number, options: { tokens: boolean; keep?: string; by?: number | null }): Promise<{ sessions: number; tokens: number }> {
    const sessions = await this.store.deleteForUser(userId, options.keep);
    let tokens = 0;
    if (options.tokens) {
      tokens = (await this.db.run('UPDATE plinth_api_tokens SET revoked_at = ?, revoked_by = ? WHERE user_id = ? AND revoked_at IS NULL', [this.clock.db(), options.by ?? null, userId])).affectedRows;
    }
    await this.revoked({ userId });
    return { sessions, tokens };
  }

  // ---- authentication -----------------------------------------------------------------

  /** The actor a bearer token stands for, or null when it is unknown, expired or its user is disabled. */
  async authenticate(token: string): Promise<Actor | null> {
    return (await this.resolve(token))?.actor ?? null;
  }

  /** Everything a token stands for (kind, scopes, password state), or null. */
  async resolve(token: string): Promise<AuthInfo | null> {
    const hash = sha256(token);
    const now = this.clock.now();
    const hit = this.cache.get(hash);
    if (hit && hit.info.expiresAt > now && now >= hit.checked && now - hit.checked < this.auth.cacheSeconds * 1000) return hit.info;
    // Concurrent requests with one token share one lookup: under load, a stampede of
    // lookups would otherwise each finish too late to be cached and never stop.
    let pending = this.resolving.get(hash);
    if (!pending) {
      pending = this.lookup(token, hash).finally(() => this.resolving.delete(hash));
      this.resolving.set(hash, pending);
    }
    return pending;
  }

  private readonly resolving = new Map<string, Promise<AuthInfo | null>>();

  private async lookup(token: string, hash: string): Promise<AuthInfo | null> {
    const generation = this.generation;
    const now = this.clock.now();
    const info = token.startsWith(API_TOKEN_PREFIX) ? await this.loadToken(hash, now) : await this.loadSession(hash, now);
    if (!info) {
      this.cache.delete(hash);
      return null;
    }
    if (this.auth.cacheSeconds > 0 && generation === this.generation) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      // Stamped when the lookup ends, so a slow lookup does not come back already stale.
      this.cache.set(hash, { info, checked: this.clock.now() });
    }
    return info;
  }

  private async loadSession(hash: string, now: number): Promise<AuthInfo | null> {
    const s = await this.store.get(hash);
    if (!s || s.expiresAt <= now) return null;
    const rows = await this.db.all<{ id: number; username: string; is_admin: number | boolean; password_changed_at: string | null; must_change: number | null }>(
      `SELECT u.id, u.username, ${IS_ADMIN} AS is_admin, c.password_changed_at, c.must_change
         FROM plinth_users u LEFT JOIN plinth_credentials c ON c.user_id = u.id WHERE u.id = ? AND ${LIVE_USER}`,
      [s.userId],
    );
    const u = rows[0];
    if (!u) return null;
    return {
      actor: { userId: Number(u.id), username: u.username, isAdmin: truthy(u.is_admin) },
      kind: 'session',
      hash,
      expiresAt: s.expiresAt,
      passwordExpired: u.password_changed_at !== null && this.passwordExpired({ must_change: u.must_change, password_changed_at: u.password_changed_at }, now),
    };
  }

  private async loadToken(hash: string, now: number): Promise<AuthInfo | null> {
    const rows = await this.db.all<{ id: number; user_id: number; scopes: string; expires_at: string; last_used_at: string | null; username: string; is_admin: number | boolean }>(
      `SELECT t.id, t.user_id, t.scopes, t.expires_at, t.last_used_at, u.username, ${IS_ADMIN} AS is_admin
         FROM plinth_api_tokens t JOIN plinth_users u ON u.id = t.user_id
        WHERE t.token_hash = ? AND t.revoked_at IS NULL AND ${LIVE_USER}`,
      [hash],
    );
    const t = rows[0];
    if (!t) return null;
    const expiresAt = dbTime(t.expires_at);
    if (expiresAt <= now) return null;
    if (!t.last_used_at || now - dbTime(t.last_used_at) >= LAST_USED_EVERY_MS) {
      await this.db.run('UPDATE plinth_api_tokens SET last_used_at = ? WHERE id = ?', [this.clock.db(), t.id]);
    }
    return {
      actor: { userId: Number(t.user_id), username: t.username, isAdmin: truthy(t.is_admin) },
      kind: 'token',
      hash,
      expiresAt,
      passwordExpired: false,
      tokenId: Number(t.id),
      scopes: JSON.parse(t.scopes) as string[],
    };
  }

  /** Apply a revocation here and tell the other nodes. */
  private async revoked(r: Revocation): Promise<void> {
    this.forget(r);
    try {
      await this.bus.publish(r);
    } catch {
      // The other nodes' caches still expire within AUTH_CACHE_SECONDS.
    }
  }

  /** Drop cache entries a revocation concerns (called for our own and other nodes' revocations). */
  private forget(r: Revocation): void {
    this.generation++;
    if ('hash' in r) {
      this.cache.delete(r.hash);
      return;
    }
    for (const [key, entry] of this.cache) if (entry.info.actor.userId === r.userId) this.cache.delete(key);
  }

  // ---- API tokens ---------------------------------------------------------------------

  /** Create an API token for `userId`; the secret is returned once and never stored. */
  async createToken(userId: number, spec: { name: string; scopes: readonly string[]; expiresAt: number }, actor: Actor): Promise<ApiTokenView & { token: string }> {
    const users = await this.db.all<{ id: number }>(`SELECT u.id FROM plinth_users u WHERE u.id = ? AND ${LIVE_USER}`, [userId]);
    if (!users.length) throw new NotFoundError(`user ${userId} not found or not active`);
    const token = newSecret(API_TOKEN_PREFIX);
    const now = this.clock.db();
    const res = await this.db.run(
      'INSERT INTO plinth_api_tokens (user_id, name, token_hash, scopes, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [userId, spec.name, sha256(token), JSON.stringify(spec.scopes), now, actor.userId, toDbDateTime(iso(spec.expiresAt))],
    );
    const id = res.insertId;
    await this.event(actor, { action: 'token-create', entity: 'user', recordId: userId, detail: `API token ${id} "${spec.name}" scopes ${spec.scopes.join(' ')} expires ${iso(spec.expiresAt)}` });
    const [view] = await this.listTokens({ id });
    return { ...view, token };
  }

  async listTokens(filter: { userId?: number; id?: number }): Promise<ApiTokenView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.userId !== undefined) {
      where.push('user_id = ?');
      params.push(filter.userId);
    }
    if (filter.id !== undefined) {
      where.push('id = ?');
      params.push(filter.id);
    }
    const rows = await this.db.all<Record<string, unknown>>(
      `SELECT id, user_id, name, scopes, created_at, created_by, expires_at, last_used_at, revoked_at FROM plinth_api_tokens${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT 1000`,
      params,
    );
    const now = this.clock.now();
    return rows.map((r) => {
      const expiresAt = dbTime(r.expires_at);
      return {
        id: Number(r.id),
        userId: Number(r.user_id),
        name: String(r.name),
        scopes: JSON.parse(String(r.scopes)) as string[],
        createdAt: iso(dbTime(r.created_at)),
        createdBy: r.created_by === null || r.created_by === undefined ? null : Number(r.created_by),
        expiresAt: iso(expiresAt),
        lastUsedAt: r.last_used_at ? iso(dbTime(r.last_used_at)) : null,
        revokedAt: r.revoked_at ? iso(dbTime(r.revoked_at)) : null,
        status: r.revoked_at ? 'revoked' : expiresAt <= now ? 'expired' : 'active',
      };
    });
  }

  /** Revoke one API token (again: nothing happens); `ownerId` (when not null) must own it, else it is "not found". */
  async revokeToken(id: number, actor: Actor, ownerId: number | null): Promise<void> {
    const rows = await this.db.all<{ user_id: number; token_hash: string; name: string; revoked_at: string | null }>('SELECT user_id, token_hash, name, revoked_at FROM plinth_api_tokens WHERE id = ?', [id]);
    const t = rows[0];
    if (!t || (ownerId !== null && Number(t.user_id) !== ownerId)) throw new NotFoundError(`API token ${id} not found`);
    if (t.revoked_at) return;
    await this.db.run('UPDATE plinth_api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL', [this.clock.db(), actor.userId, id]);
    await this.revoked({ hash: t.token_hash });
    await this.event(actor, { action: 'token-revoke', entity: 'user', recordId: Number(t.user_id), detail: `API token ${id} "${t.name}" revoked` });
  }

  // ---- audit -------------------------------------------------------------------------

  /** Auth events go to the operation log (never a password or a token); if the log cannot be written, the request fails. */
  private async event(actor: Actor, entry: AuditEntry): Promise<void> {
    await this.audit.event(actor, entry);
  }
}
