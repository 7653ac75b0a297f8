import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { nowDb, toDbDateTime } from '../data/codec';
import { decoyHash, hashPassword, verifyPassword } from './passwords';

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: { id: number; username: string; displayName: string; isAdmin: boolean };
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  is_admin: number | boolean;
}

/** Whether a user is a system administrator: the flag, or the built-in `admin` role. */
const IS_ADMIN = `(u.is_admin = 1 OR EXISTS (SELECT 1 FROM plinth_user_roles ur JOIN plinth_roles r ON r.id = ur.role_id
  WHERE ur.user_id = u.id AND r.code = 'admin' AND ur.deleted_at IS NULL AND r.deleted_at IS NULL))`;
const LIVE_USER = "u.deleted_at IS NULL AND u.status = 'active'";
const truthy = (v: unknown) => v === 1 || v === true || v === '1';

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');

/** How long a resolved token is trusted without asking the database again. */
const CACHE_MS = 5_000;
const CACHE_MAX = 10_000;

/**
 * Password login and bearer tokens. Tokens are random 256-bit strings; the database
 * keeps only their hash, so a leaked table does not leak sessions.
 */
export class Sessions {
  private readonly cache = new Map<string, { actor: Actor; expires: number; checked: number }>();

  constructor(
    private readonly db: Executor,
    private readonly ttlSeconds: number,
  ) {}

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
      await tx.run('INSERT INTO plinth_credentials (user_id, password_hash, password_changed_at, failed_logins) VALUES (?, ?, ?, 0)', [user.id, hash, nowDb()]);
    });
  }

  /** Set (or reset) a user's password. */
  async setPassword(userId: number, password: string): Promise<void> {
    const hash = await hashPassword(password);
    await this.db.transaction(async (tx) => {
      const done = await tx.run('UPDATE plinth_credentials SET password_hash = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL WHERE user_id = ?', [hash, nowDb(), userId]);
      if (done.affectedRows === 0) await tx.run('INSERT INTO plinth_credentials (user_id, password_hash, password_changed_at, failed_logins) VALUES (?, ?, ?, 0)', [userId, hash, nowDb()]);
    });
  }

  async adminActor(username: string): Promise<Actor> {
    const rows = await this.db.all<{ id: number }>('SELECT id FROM plinth_users WHERE username = ?', [username]);
    return { userId: rows.length ? Number(rows[0].id) : null, username, isAdmin: true };
  }

  async login(username: string, password: string): Promise<LoginResult | null> {
    const rows = await this.db.all<UserRow>(
      `SELECT u.id, u.username, u.display_name, c.password_hash, ${IS_ADMIN} AS is_admin
         FROM plinth_users u JOIN plinth_credentials c ON c.user_id = u.id
        WHERE u.username = ? AND ${LIVE_USER}`,
      [username],
    );
    const user = rows[0];
    const ok = await verifyPassword(user ? user.password_hash : await decoyHash(), password);
    if (!user || !ok) return null;
    const token = randomBytes(32).toString('base64url');
    const expires = new Date(Date.now() + this.ttlSeconds * 1000).toISOString();
    await this.db.run('INSERT INTO plinth_sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [sha256(token), user.id, nowDb(), toDbDateTime(expires)]);
    return {
      token,
      expiresAt: expires,
      user: { id: Number(user.id), username: user.username, displayName: user.display_name, isAdmin: truthy(user.is_admin) },
    };
  }

  /** The actor a bearer token stands for, or null when it is unknown, expired or its user is disabled. */
  async authenticate(token: string): Promise<Actor | null> {
    const key = sha256(token);
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expires > now && now - hit.checked < CACHE_MS) return hit.actor;
    const rows = await this.db.all<{ id: number; username: string; is_admin: number | boolean; expires_at: string }>(
      `SELECT u.id, u.username, ${IS_ADMIN} AS is_admin, s.expires_at FROM plinth_sessions s JOIN plinth_users u ON u.id = s.user_id WHERE s.token_hash = ? AND ${LIVE_USER}`,
      [key],
    );
    const row = rows[0];
    const expires = row ? Date.parse(`${String(row.expires_at).replace(' ', 'T')}Z`) : 0;
    if (!row || expires <= now) {
      this.cache.delete(key);
      return null;
    }
    const actor: Actor = { userId: Number(row.id), username: row.username, isAdmin: truthy(row.is_admin) };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, { actor, expires, checked: now });
    return actor;
  }

  async logout(token: string): Promise<void> {
    const key = sha256(token);
    this.cache.delete(key);
    await this.db.run('DELETE FROM plinth_sessions WHERE token_hash = ?', [key]);
  }
}
