import type { Actor, Directory, DirectoryEntry, Scope } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { AccessProfile, type GrantRow } from './profile';

/** The role every signed-in user holds without being assigned it. */
export const EVERYONE_ROLE = 'everyone';

/** How long a user's computed rights are reused before being read again (other nodes' changes). */
const TTL_MS = 5_000;

interface GrantRecord {
  entity: string;
  actions: string;
  scope: string;
  hidden_fields: string | null;
  readonly_fields: string | null;
  grant_source: string | null;
  role_source: string | null;
}

const GRANT_COLUMNS = 'g.entity, g.actions, g.scope, g.hidden_fields, g.readonly_fields, g.source AS grant_source, r.source AS role_source';

const parse = <T>(raw: unknown, fallback: T): T => {
  if (raw === null || raw === undefined) return fallback;
  return (typeof raw === 'string' ? JSON.parse(raw) : raw) as T;
};

const toGrant = (r: GrantRecord): GrantRow => ({
  entity: r.entity,
  actions: parse<string[]>(r.actions, []),
  scope: parse<Scope>(r.scope, 'own'),
  hiddenFields: parse<string[]>(r.hidden_fields, []),
  readonlyFields: parse<string[]>(r.readonly_fields, []),
});

/**
 * Turns a user into an AccessProfile: their roles' grants, their place in the
 * organisation (from the directory the org plugin provides) and what is shared with
 * them. Profiles are cached per user; any write to roles, grants, user roles, shares or
 * the organisation calls `invalidate()`.
 */
export class AccessLoader {
  private readonly cache = new Map<number, { profile: AccessProfile; at: number; generation: number }>();
  /** Loads in flight: concurrent requests of one user share one load (no stampede). */
  private readonly loading = new Map<number, Promise<AccessProfile>>();
  private generation = 0;
  private directory: Directory | null = null;
  /** Plugins whose grants and roles apply; null: all (no plugin manager). */
  private activeSources: ReadonlySet<string> | null = null;

  constructor(private readonly db: Executor) {}

  /**
   * Grants a plugin declared, and every grant of a role a plugin declared, apply only
   * while that plugin is enabled; grants and roles an administrator made always apply.
   */
  useSources(enabled: ReadonlySet<string>): void {
    this.activeSources = enabled;
    this.invalidate();
  }

  private applies = (r: GrantRecord): boolean => {
    const active = this.activeSources;
    if (!active) return true;
    return (r.grant_source === null || active.has(r.grant_source)) && (r.role_source === null || active.has(r.role_source));
  };

  useDirectory(directory: Directory | null): void {
    this.directory = directory;
    this.invalidate();
  }

  invalidate(): void {
    this.generation++;
  }

  async profile(actor: Actor): Promise<AccessProfile> {
    if (actor.isAdmin) return AccessProfile.system(actor.userId);
    if (actor.serviceRole) return this.roleProfile(actor.serviceRole);
    if (actor.userId === null) return new AccessProfile(null, false, null);
    const userId = actor.userId;
    const hit = this.cache.get(userId);
    if (hit && hit.generation === this.generation && Date.now() - hit.at < TTL_MS) return hit.profile;
    let pending = this.loading.get(userId);
    if (!pending) {
      const generation = this.generation;
      pending = this.load(userId)
        .then((profile) => {
          // Stamped when the load ends: a slow load under pressure must not come back already stale.
          if (this.cache.size > 10_000) this.cache.clear();
          this.cache.set(userId, { profile, at: Date.now(), generation });
          return profile;
        })
        .finally(() => this.loading.delete(userId));
      this.loading.set(userId, pending);
    }
    return pending;
  }

  private readonly roles = new Map<string, { profile: AccessProfile; at: number; generation: number }>();

  /** Exactly one role's grants, for a script the administrator gave that service role. */
  private async roleProfile(code: string): Promise<AccessProfile> {
    const hit = this.roles.get(code);
    if (hit && hit.generation === this.generation && Date.now() - hit.at < TTL_MS) return hit.profile;
    const generation = this.generation;
    const rows = await this.db.all<GrantRecord>(
      `SELECT ${GRANT_COLUMNS}
         FROM plinth_role_grants g JOIN plinth_roles r ON r.id = g.role_id AND r.deleted_at IS NULL
        WHERE r.code = ? AND g.deleted_at IS NULL`,
      [code],
    );
    const profile = new AccessProfile(null, false, null, rows.filter(this.applies).map(toGrant));
    this.roles.set(code, { profile, at: Date.now(), generation });
    return profile;
  }

  private async load(userId: number): Promise<AccessProfile> {
    // The user's roles, and `everyone`, which every signed-in user holds without assignment.
    const rows = await this.db.all<GrantRecord>(
      `SELECT ${GRANT_COLUMNS}
         FROM plinth_role_grants g
         JOIN plinth_roles r ON r.id = g.role_id AND r.deleted_at IS NULL
        WHERE g.deleted_at IS NULL
          AND (r.code = ? OR g.role_id IN (SELECT ur.role_id FROM plinth_user_roles ur WHERE ur.user_id = ? AND ur.deleted_at IS NULL))`,
      [EVERYONE_ROLE, userId],
    );
    const grants: GrantRow[] = rows.filter(this.applies).map(toGrant);
    const entry = this.directory ? await this.directory.entry(userId) : await this.defaultEntry(userId);
    const principals: unknown[] = [userId];
    let who = 'to_user_id = ?';
    if (entry.departmentId) {
      who += ' OR to_department = ?';
      principals.push(entry.departmentId);
    }
    if (entry.groups.length) {
      who += ` OR to_group IN (${entry.groups.map(() => '?').join(', ')})`;
      principals.push(...entry.groups);
    }
    const shared = await this.db.all<{ entity: string }>(`SELECT DISTINCT entity FROM plinth_shares WHERE deleted_at IS NULL AND (${who})`, principals);
    return new AccessProfile(userId, false, entry, grants, new Set(shared.map((s) => s.entity)));
  }

  /** Without an organisation plugin: the user's own department and nothing around it. */
  private async defaultEntry(userId: number): Promise<DirectoryEntry> {
    const rows = await this.db.all<{ department_id: number | null }>('SELECT department_id FROM plinth_users WHERE id = ?', [userId]);
    const dept = rows[0]?.department_id ?? null;
    return { userId, departmentId: dept, departmentTree: dept ? [dept] : [], branchId: null, branchDepartments: [], subordinates: [], groups: [] };
  }
}
