import type { Redis } from 'ioredis';
import type { Executor } from '../data/database';
import { toDbDateTime } from '../data/codec';
import { dbTime } from './tokens';

export interface StoredSession {
  userId: number;
  createdAt: number;
  expiresAt: number;
}

/**
 * Where login sessions live, so that every node sees them: the database by default,
 * Redis when configured. Keys are SHA-256 hashes of session tokens.
 */
export interface SessionStore {
  readonly kind: 'database' | 'redis';
  create(hash: string, session: StoredSession): Promise<void>;
  get(hash: string): Promise<StoredSession | null>;
  delete(hash: string): Promise<boolean>;
  /** End every session of a user (but `keep`); returns how many ended. */
  deleteForUser(userId: number, keep?: string): Promise<number>;
  /** Remove expired sessions (the database store; Redis expires keys itself). */
  sweep(now: number): Promise<void>;
}

/** Run a MULTI and fail when any of its commands failed (ioredis reports them per command). */
async function exec(multi: ReturnType<Redis['multi']>): Promise<unknown[]> {
  const results = (await multi.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
  return results.map(([, value]) => value);
}

const iso = (ms: number) => toDbDateTime(new Date(ms).toISOString());

export class DatabaseSessionStore implements SessionStore {
  readonly kind = 'database';

  constructor(private readonly db: Executor) {}

  async create(hash: string, s: StoredSession): Promise<void> {
    await this.db.run('INSERT INTO plinth_sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [hash, s.userId, iso(s.createdAt), iso(s.expiresAt)]);
  }

  async get(hash: string): Promise<StoredSession | null> {
    const rows = await this.db.all<{ user_id: number; created_at: string; expires_at: string }>('SELECT user_id, created_at, expires_at FROM plinth_sessions WHERE token_hash = ?', [hash]);
    const r = rows[0];
    return r ? { userId: Number(r.user_id), createdAt: dbTime(r.created_at), expiresAt: dbTime(r.expires_at) } : null;
  }

  async delete(hash: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM plinth_sessions WHERE token_hash = ?', [hash])).affectedRows > 0;
  }

  async deleteForUser(userId: number, keep?: string): Promise<number> {
    const r = keep
      ? await this.db.run('DELETE FROM plinth_sessions WHERE user_id = ? AND token_hash <> ?', [userId, keep])
      : await this.db.run('DELETE FROM plinth_sessions WHERE user_id = ?', [userId]);
    return r.affectedRows;
  }

  async sweep(now: number): Promise<void> {
    await this.db.run('DELETE FROM plinth_sessions WHERE expires_at < ?', [iso(now)]);
  }
}

/**
 * Sessions in Redis: `<prefix>sess:<hash>` holds the session with a TTL; the set
 * `<prefix>usess:<userId>` lists a user's sessions for "log out everywhere".
 */
export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** The longest a session can live (SESSION_TTL): how long a user's index is kept. */
    private readonly maxTtlMs: number,
  ) {}

  private key(hash: string): string {
    return `${this.prefix}sess:${hash}`;
  }

  private userKey(userId: number): string {
    return `${this.prefix}usess:${userId}`;
  }

  async create(hash: string, s: StoredSession): Promise<void> {
    const ttl = Math.max(1000, s.expiresAt - Date.now());
    const userKey = this.userKey(s.userId);
    // The index outlives every session in it: each new session extends it to the longest TTL.
    await exec(this.redis.multi().set(this.key(hash), JSON.stringify(s), 'PX', ttl).sadd(userKey, hash).pexpire(userKey, Math.max(ttl, this.maxTtlMs)));
  }

  async get(hash: string): Promise<StoredSession | null> {
    const raw = await this.redis.get(this.key(hash));
    if (!raw) return null;
    const s = JSON.parse(raw) as StoredSession;
    return typeof s.userId === 'number' && typeof s.expiresAt === 'number' ? s : null;
  }

  async delete(hash: string): Promise<boolean> {
    const raw = await this.redis.get(this.key(hash));
    const removed = await this.redis.del(this.key(hash));
    if (raw) await this.redis.srem(this.userKey((JSON.parse(raw) as StoredSession).userId), hash);
    return removed > 0;
  }

  async deleteForUser(userId: number, keep?: string): Promise<number> {
    const userKey = this.userKey(userId);
    const hashes = (await this.redis.smembers(userKey)).filter((h) => h !== keep);
    if (!hashes.length) return 0;
    const [removed] = await exec(this.redis.multi().del(...hashes.map((h) => this.key(h))).srem(userKey, ...hashes));
    return Number(removed);
  }

  async sweep(): Promise<void> {
    // Redis expires sessions itself; a user's index set may keep stale hashes until it expires.
  }
}
