import type { FieldError } from '@plinth/sdk';

/**
 * Scopes of API tokens. A token acts as its user — the permission layer applies the
 * user's rights as always — and its scopes narrow that further; they never add rights.
 *
 * - `read`  — read anything the user may read;
 * - `write` — everything the user may do through the API (read, create, update, delete);
 * - `<entity>:<action>` — one entity (`customer`, or `*` for all) and one action
 *   (`read`, `create`, `update`, `delete`, or `*` for all).
 *
 * Plugin routes (`/api/v1/ext/…`) are not tied to an entity: GET needs `read` (or
 * `*:read`), other methods `write` (or `*:*`). Credential management (tokens, passwords,
 * sessions, unlocking) is never open to API tokens: it needs an interactive login.
 */
export const ACTIONS = ['read', 'create', 'update', 'delete'] as const;

const SCOPE = /^(?:read|write|(\*|[a-zA-Z][a-zA-Z0-9]{0,63}):(\*|read|create|update|delete))$/;
export const MAX_SCOPES = 50;

/** Check a requested scope list; entity names must exist. Returns the list without duplicates. */
export function parseScopes(value: unknown, entityExists: (name: string) => boolean): { scopes: string[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_SCOPES) {
    errors.push({ field: 'scopes', rule: 'required', message: `scopes must be a list of 1 to ${MAX_SCOPES} scopes: read, write, or <entity>:<action>` });
    return { scopes: [], errors };
  }
  value.forEach((s, i) => {
    const m = typeof s === 'string' ? SCOPE.exec(s) : null;
    if (!m) errors.push({ field: `scopes[${i}]`, rule: 'pattern', message: 'A scope is read, write, or <entity>:<action> with action read, create, update, delete or *' });
    else if (m[1] && m[1] !== '*' && !entityExists(m[1])) errors.push({ field: `scopes[${i}]`, rule: 'reference', message: `No entity "${m[1]}"` });
  });
  return { scopes: [...new Set(value as string[])], errors };
}

/** Whether `scopes` allow `action` on `entity` (`*`: a request not tied to one entity). */
export function scopesAllow(scopes: readonly string[], entity: string, action: string): boolean {
  for (const s of scopes) {
    if (s === 'write') return true;
    if (s === 'read') {
      if (action === 'read') return true;
      continue;
    }
    const i = s.indexOf(':');
    const e = s.slice(0, i);
    const a = s.slice(i + 1);
    if ((e === '*' || e === entity) && (a === '*' || a === action)) return true;
  }
  return false;
}

export type Requirement =
  /** Needs each entity/action pair (entity `*` for requests not tied to one). */
  | { kind: 'needs'; needs: readonly (readonly [string, string])[] }
  /** Credential management: interactive logins only. */
  | { kind: 'credentials' };

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
const USER_CREDENTIAL_ACTIONS = new Set(['password', 'unlock', 'logout']);

/** What the gate looks up in the metadata to tell what a request reads and writes. */
export interface ScopeLookup {
  /** The entity a resource path names (its plural), or null. */
  entityOf(plural: string): string | null;
  /** The entity holding a data form's records (`/forms/{code}/records`), or null. */
  formEntityOf(code: string): string | null;
  /** The entities expanding `names` on `entity` reads (names that are no reference are the route's to refuse). */
  expansionTargets(entity: string, names: readonly string[]): string[];
}

/** The request as the gate sees it. */
export interface ScopedRequest {
  method: string;
  /** The path under /api/v1. */
  path: string;
  /** The parsed JSON body. */
  body: unknown;
  query?: Readonly<Record<string, string | string[] | undefined>>;
}

/** `expand` of a list or get: from the query string, or from the body of POST …/query. */
function expandOf(req: ScopedRequest, fromBody: boolean): string[] {
  const raw = fromBody ? (typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>).expand : undefined) : req.query?.expand;
  const names = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [];
  return names.filter((n): n is string => typeof n === 'string').map((n) => n.trim()).filter(Boolean);
}

/**
 * What a request under /api/v1 needs from a token's scopes. Reads that embed other
 * entities' records (`expand=`) need read on those too; records of data forms
 * (`/forms/{code}/records`) need the form's entity like the generic routes do.
 */
export function requirementOf(req: ScopedRequest, lookup: ScopeLookup): Requirement {
  const { method, body } = req;
  // The router matches case-insensitively and decodes parameters: compare the same way.
  const raw = req.path.split('/').filter(Boolean).map(decode);
  const seg = raw.map((s) => s.toLowerCase());
  const safe = SAFE.has(method);
  const generic: Requirement = { kind: 'needs', needs: [['*', safe ? 'read' : '*']] };
  if (seg[0] === 'auth') {
    if (seg.length === 2 && ((seg[1] === 'me' && safe) || seg[1] === 'logout' || seg[1] === 'password-policy')) return { kind: 'needs', needs: [] };
    return { kind: 'credentials' };
  }
  if (seg.length === 3 && seg[0] === 'users' && USER_CREDENTIAL_ACTIONS.has(seg[2])) return { kind: 'credentials' };
  if (seg[0] === 'openapi.json') return { kind: 'needs', needs: [] };
  if (seg[0] === 'ext' || seg.length === 0) return generic;
  /** Read `entity`, and what the request expands of it. */
  const reading = (entity: string, fromBody = false): Requirement => ({
    kind: 'needs',
    needs: [[entity, 'read'], ...lookup.expansionTargets(entity, expandOf(req, fromBody)).map((target) => [target, 'read'] as const)],
  });
  if (seg[0] === 'forms' && seg[2] === 'records' && seg.length <= 4) {
    const entity = lookup.formEntityOf(raw[1]);
    if (!entity) return generic;
    if (safe) return reading(entity);
    if (method === 'POST' && (seg.length === 3 || seg[3] === 'grid')) return { kind: 'needs', needs: [[entity, 'create']] };
    if (seg.length === 4 && method === 'PATCH') return { kind: 'needs', needs: [[entity, 'update']] };
    if (seg.length === 4 && method === 'DELETE') return { kind: 'needs', needs: [[entity, 'delete']] };
    return { kind: 'needs', needs: [[entity, '*']] };
  }
  const entity = lookup.entityOf(raw[0]);
  if (!entity) return generic;
  const one = (action: string): Requirement => ({ kind: 'needs', needs: [[entity, action]] });
  // A related tab reads another entity: api/related.ts holds tab and expansions to the token's scopes.
  if (safe) return seg[2] === 'related' ? one('read') : reading(entity);
  if (seg.length === 1) return method === 'POST' ? one('create') : generic;
  if (seg.length === 2 && seg[1] === 'query' && method === 'POST') return reading(entity, true);
  if (seg.length === 2 && seg[1] === 'export' && method === 'POST') return one('read');
  if (seg.length === 3 && seg[1] === 'import' && seg[2] === 'preview' && method === 'POST') return one('read');
  if (seg.length === 2 && seg[1] === 'import' && method === 'POST') return { kind: 'needs', needs: [[entity, 'create'], [entity, 'update']] };
  if (seg.length === 2 && seg[1] === 'bulk' && method === 'POST') {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const needs = ACTIONS.filter((a) => a !== 'read' && Array.isArray(b[a]) && (b[a] as unknown[]).length > 0).map((a) => [entity, a] as const);
    // Malformed bulk bodies are refused by the service; ask for all three so nothing slips by.
    return { kind: 'needs', needs: needs.length ? needs : [[entity, 'create'], [entity, 'update'], [entity, 'delete']] };
  }
  if (seg.length === 3 && seg[1] === 'trash' && method === 'DELETE') return one('delete');
  if (seg.length === 2 && method === 'PATCH') return one('update');
  if (seg.length === 2 && method === 'DELETE') return one('delete');
  if (seg.length === 3 && seg[2] === 'restore' && method === 'POST') return one('delete');
  return { kind: 'needs', needs: [[entity, '*']] };
}
