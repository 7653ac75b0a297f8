import type { DirectoryEntry, Scope } from '@plinth/sdk';

export interface GrantRow {
  entity: string;
  actions: readonly string[];
  scope: Scope;
  hiddenFields: readonly string[];
  readonlyFields: readonly string[];
}

const NONE: ReadonlySet<string> = new Set();

/**
 * What one user may do, combined over all their roles: for each entity and action the
 * scopes granted (a record is allowed when any scope admits it — the union of grants),
 * and the field rules. A field is hidden (or read-only) only when every grant that lets
 * the user read (or update) the entity hides it: roles add rights, never take them away.
 */
export class AccessProfile {
  private readonly scopes = new Map<string, Scope[]>();
  private readonly hidden = new Map<string, Set<string>>();
  private readonly readonly = new Map<string, Set<string>>();

  constructor(
    readonly userId: number | null,
    /** System administrators and the platform itself: no restriction at all. */
    readonly unrestricted: boolean,
    readonly directory: DirectoryEntry | null,
    grants: readonly GrantRow[] = [],
    /** Entities of which some record is shared with this user (directly, or via department or group). */
    readonly sharedEntities: ReadonlySet<string> = new Set(),
  ) {
    const fieldRule = (map: Map<string, Set<string>>, entity: string, fields: readonly string[]) => {
      const current = map.get(entity);
      map.set(entity, current ? new Set([...current].filter((f) => fields.includes(f))) : new Set(fields));
    };
    for (const g of grants) {
      for (const action of g.actions) {
        const key = `${g.entity}:${action}`;
        this.scopes.set(key, [...(this.scopes.get(key) ?? []), g.scope]);
      }
      if (g.actions.includes('read')) fieldRule(this.hidden, g.entity, g.hiddenFields);
      if (g.actions.includes('update') || g.actions.includes('create')) fieldRule(this.readonly, g.entity, g.readonlyFields);
    }
  }

  static system(userId: number | null = null): AccessProfile {
    return new AccessProfile(userId, true, null);
  }

  /** The scopes under which `action` on `entity` is allowed; empty when it is not granted at all. */
  scopesFor(entity: string, action: string): readonly Scope[] {
    if (this.unrestricted) return ['all'];
    return this.scopes.get(`${entity}:${action}`) ?? [];
  }

  can(entity: string, action: string): boolean {
    return this.scopesFor(entity, action).length > 0;
  }

  hiddenFields(entity: string): ReadonlySet<string> {
    return this.unrestricted ? NONE : (this.hidden.get(entity) ?? NONE);
  }

  readonlyFields(entity: string): ReadonlySet<string> {
    return this.unrestricted ? NONE : (this.readonly.get(entity) ?? NONE);
  }
}
