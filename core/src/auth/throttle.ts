import type { Executor } from '../data/database';
import { Clock, dbTime, sha256 } from './tokens';

export interface FailureOutcome {
  /** This failure reached the limit: the key is locked from now on. */
  lockedNow: boolean;
  lockedUntil: number | null;
}

/**
 * Failed-login counters in the database, so every node counts the same attempts. A key
 * is a username (lower-cased) or an IP address; only its hash is stored. A key whose
 * failures reach `max` within `windowMs` is locked for `lockMs`; the counter restarts.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Executor,
    private readonly clock: Clock,
  ) {}

  static userKey(username: string): string {
    return sha256(`user\0${username.trim().toLowerCase()}`);
  }

  static ipKey(ip: string): string {
    return sha256(`ip\0${ip}`);
  }

  /** Until when each of `keys` is locked (ms); absent when it is not. */
  async locks(keys: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.db.all<{ key_hash: string; locked_until: string | null }>(
      `SELECT key_hash, locked_until FROM plinth_login_throttle WHERE key_hash IN (${keys.map(() => '?').join(', ')}) AND locked_until IS NOT NULL`,
      keys,
    );
    const now = this.clock.now();
    const out = new Map<string, number>();
    for (const r of rows) {
      const until = dbTime(r.locked_until);
      if (until > now) out.set(r.key_hash, until);
    }
    return out;
  }

  /** Count one failure for `key`; lock it when this one reaches `max` within the window. */
  async fail(key: string, max: number, windowMs: number, lockMs: number): Promise<FailureOutcome> {
    const now = this.clock.db();
    const floor = this.clock.db(-windowMs);
    // One statement, so concurrent failures on several nodes are all counted. (MariaDB
    // assigns left to right: `failures` is computed from the old `window_start`.)
    const bump = () =>
      this.db.run(
        `UPDATE plinth_login_throttle
            SET failures = CASE WHEN window_start < ? THEN 1 ELSE failures + 1 END,
                window_start = CASE WHEN window_start < ? THEN ? ELSE window_start END
          WHERE key_hash = ?`,
        [floor, floor, now, key],
      );
    if ((await bump()).affectedRows === 0) {
      try {
        await this.db.run('INSERT INTO plinth_login_throttle (key_hash, failures, window_start, locked_until) VALUES (?, 1, ?, NULL)', [key, now]);
      } catch (err) {
        if (this.db.dialect.classify(err)?.kind !== 'unique') throw err;
        await bump();
      }
    }
    const until = this.clock.db(lockMs);
    // Only the failure that reaches the limit takes the lock (and is reported as doing so).
    const locked = await this.db.run('UPDATE plinth_login_throttle SET locked_until = ?, failures = 0, window_start = ? WHERE key_hash = ? AND failures >= ?', [until, now, key, max]);
    return locked.affectedRows > 0 ? { lockedNow: true, lockedUntil: dbTime(until) } : { lockedNow: false, lockedUntil: null };
  }

  /** Forget the failures and any lock of `key` (a successful login, an administrator's unlock). */
  async clear(key: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM plinth_login_throttle WHERE key_hash = ?', [key])).affectedRows > 0;
  }

  /** Drop counters that no longer matter: no lock in force and no failure within `windowMs`. */
  async sweep(windowMs: number): Promise<void> {
    await this.db.run('DELETE FROM plinth_login_throttle WHERE (locked_until IS NULL OR locked_until < ?) AND window_start < ?', [this.clock.db(), this.clock.db(-windowMs)]);
  }
}
