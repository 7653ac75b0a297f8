import { Api, type ApiResponse, type TestPlatform } from '../support/platform';

/** Create a user through the API and give them a password (no change required). */
export async function createUser(t: TestPlatform, username: string, password: string): Promise<number> {
  const res = await t.api.post('/api/v1/users', { username, displayName: username });
  if (res.status !== 201) throw new Error(`create user: ${res.status} ${JSON.stringify(res.body)}`);
  const set = await t.api.post(`/api/v1/users/${res.body.id}/password`, { password, mustChange: false });
  if (set.status !== 200) throw new Error(`set password: ${set.status} ${JSON.stringify(set.body)}`);
  return res.body.id as number;
}

/** A logged-in client for `username` (bearer token), optionally from a given address (needs TRUST_PROXY). */
export async function clientFor(t: TestPlatform, username: string, password: string, ip?: string): Promise<Api> {
  const api = new Api(t.platform.url);
  const res = await api.post('/api/v1/auth/login', { username, password }, ip ? { 'x-forwarded-for': ip } : {});
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  api.token = res.body.token;
  return api;
}

export function login(t: TestPlatform, username: string, password: string, ip?: string, extra: Record<string, unknown> = {}): Promise<ApiResponse> {
  return new Api(t.platform.url).post('/api/v1/auth/login', { username, password, ...extra }, ip ? { 'x-forwarded-for': ip } : {});
}

export interface AuditRow {
  id: number;
  user_id: number | null;
  username: string | null;
  ip: string | null;
  request_id: string | null;
  action: string;
  entity: string | null;
  record_id: number | null;
  changes: string | null;
  detail: string | null;
}

/** Rows of the operation log, optionally of one action, oldest first. */
export async function auditRows(t: TestPlatform, action?: string): Promise<AuditRow[]> {
  const rows = action
    ? await t.platform.db.all<AuditRow>('SELECT * FROM plinth_audit_log WHERE action = ? ORDER BY id', [action])
    : await t.platform.db.all<AuditRow>('SELECT * FROM plinth_audit_log ORDER BY id');
  return rows.map((r) => ({ ...r, user_id: r.user_id === null ? null : Number(r.user_id), record_id: r.record_id === null ? null : Number(r.record_id) }));
}

/** No secret (password or token) appears anywhere in the operation log. */
export async function expectNoSecretsInAudit(t: TestPlatform, secrets: readonly string[]): Promise<void> {
  const all = JSON.stringify(await t.platform.db.all('SELECT * FROM plinth_audit_log'));
  for (const s of secrets) expect(all.includes(s) ? `audit log contains ${s}` : 'clean').toBe('clean');
}

/** Everything in a problem body but what differs per request. */
export const stable = (body: Record<string, unknown>) => {
  const { requestId: _r, instance: _i, ...rest } = body;
  return rest;
};

/** Wait until `fn` returns true, checking every `everyMs` (no fixed sleeps), or fail after `timeoutMs`. */
export async function eventually(fn: () => Promise<boolean>, timeoutMs = 5_000, everyMs = 25): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await fn()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A browser-like client: keeps cookies, sends the CSRF header when told to. */
export class Browser {
  readonly cookies = new Map<string, string>();
  lastSetCookies: string[] = [];

  constructor(readonly base: string) {}

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const h: Record<string, string> = { ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(this.base + url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    this.lastSetCookies = res.headers.getSetCookie();
    for (const line of this.lastSetCookies) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (attrs.some((a) => /^max-age=0$/i.test(a)) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, headers: res.headers, body: type.includes('json') && text ? JSON.parse(text) : text };
  }

  /** A state-changing request with the CSRF token from the plinth_csrf cookie (as a page's script would send it). */
  withCsrf(method: string, url: string, body?: unknown): Promise<ApiResponse> {
    return this.request(method, url, body, { 'x-csrf-token': this.cookies.get('plinth_csrf') ?? '' });
  }
}

/** The attributes of one Set-Cookie line, lower-cased names. */
export function cookieAttributes(line: string): { name: string; value: string; attrs: Map<string, string | true> } {
  const [pair, ...rest] = line.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const attrs = new Map<string, string | true>();
  for (const a of rest) {
    const i = a.indexOf('=');
    if (i < 0) attrs.set(a.toLowerCase(), true);
    else attrs.set(a.slice(0, i).toLowerCase(), a.slice(i + 1));
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}
