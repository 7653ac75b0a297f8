import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { toDbDateTime } from '../data/codec';

/** Login sessions: `pls_` + 256 random bits. */
export const SESSION_PREFIX = 'pls_';
/** API tokens for integrations: `plt_` + 256 random bits. */
export const API_TOKEN_PREFIX = 'plt_';

export const newSecret = (prefix: string): string => prefix + randomBytes(32).toString('base64url');

/** What is stored and looked up: the SHA-256 of a token, never the token. */
export const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * The CSRF token of a cookie session: derived from the session token (one-way, under a
 * label of its own), so it needs no storage, changes with every login and cannot be
 * guessed by a page that cannot read the client's cookies.
 */
export const csrfFor = (sessionToken: string): string => createHash('sha256').update(`plinth-csrf\0${sessionToken}`).digest('base64url');

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The time source of the auth module; tests move it forward instead of sleeping. */
export class Clock {
  offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  /** Now, as stored in the database (`YYYY-MM-DD HH:MM:SS.sss`, UTC). */
  db(plusMs = 0): string {
    return toDbDateTime(new Date(this.now() + plusMs).toISOString());
  }
}

/** A stored date-time (`YYYY-MM-DD HH:MM:SS.sss` UTC, or a Date from a driver) in ms. */
export function dbTime(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (value instanceof Date) return value.getTime();
  const s = String(value);
  return Date.parse(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
}
