import type { Filter } from './query';
import type { I18nText } from './fields';

/** The standard actions; plugins may declare more (`approve`, `assign`…). */
export const STANDARD_ACTIONS = ['read', 'create', 'update', 'delete', 'export', 'import'] as const;
export type StandardAction = (typeof STANDARD_ACTIONS)[number];

/**
 * Which records a grant covers:
 * - `own`: records the user owns
 * - `department`: records of the user's department
 * - `departmentTree`: the user's department and every department under it
 * - `subordinates`: records owned by the user or anyone below them (superior relation, transitively)
 * - `branch`: records of every department of the user's branch (subsidiary)
 * - `all`: every record
 * - `{ filter }`: records matching a filter in the query language; `$user`, `$department`
 *   and `$branch` stand for the user's own ids.
 */
export type ScopeKind = 'own' | 'department' | 'departmentTree' | 'subordinates' | 'branch' | 'all';
export type Scope = ScopeKind | { filter: Filter };
export const SCOPE_KINDS: readonly ScopeKind[] = ['own', 'department', 'departmentTree', 'subordinates', 'branch', 'all'];

/**
 * The roles the platform ships; plugins add their grants to them. `everyone` is held by
 * every signed-in user without being assigned (what all may read: dictionaries, categories…).
 */
export const BUILT_IN_ROLES = ['admin', 'branchAdmin', 'departmentManager', 'salesRep', 'serviceRep', 'auditor', 'everyone'] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

/** A plugin's grant to a role: these actions on this entity, for records in this scope. */
export interface GrantDef {
  role: BuiltInRole | (string & {});
  entity: string;
  actions: readonly string[];
  scope: Scope;
  /** Fields this role never sees (not returned, not filterable, not sortable). */
  hiddenFields?: readonly string[];
  /** Fields this role sees but may not write. */
  readonlyFields?: readonly string[];
}

/** A custom action a plugin adds to an entity (checked like the standard ones). */
export interface ActionDef {
  entity: string;
  action: string;
  label: I18nText;
}

/**
 * What the permission layer needs to know about a user, supplied by the organisation
 * plugin. Core never reads the organisation's tables itself.
 */
export interface DirectoryEntry {
  userId: number;
  /** The user's department, if any. */
  departmentId: number | null;
  /** The user's department and all departments under it. */
  departmentTree: readonly number[];
  /** The branch (subsidiary/head office) the department belongs to, and all its departments. */
  branchId: number | null;
  branchDepartments: readonly number[];
  /** Users below this one through the superior relation, transitively (not including the user). */
  subordinates: readonly number[];
  groups: readonly number[];
}

export interface Directory {
  entry(userId: number): Promise<DirectoryEntry>;
  /** Entities whose changes alter entries: the platform calls `invalidate` after writes to them. */
  readonly entities?: readonly string[];
  invalidate?(): void;
}
