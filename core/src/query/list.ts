import type { FieldError, ListQuery, Scope } from '@plinth/sdk';
import type { AccessProfile } from '../access/profile';
import type { Keyring } from '../crypto/keyring';
import type { EntityModel, FieldModel } from '../meta/model';
import { TRASH_ONLY_FIELDS } from '../meta/model';
import type { MetaRegistry } from '../meta/registry';
import type { Dialect } from '../data/dialect';
import { FilterCompiler, join, type Sql } from './filter';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 500;
const MAX_OFFSET = 1_000_000;

export interface SortKey {
  field: FieldModel;
  desc: boolean;
}

export interface Expansion {
  field: FieldModel;
  target: EntityModel;
  /** Fields of the target to return; empty means all readable ones. */
  fields: FieldModel[];
  /** For a collection: the target's reference field pointing back. */
  foreignKey?: FieldModel;
  /** Which target rows the caller may see (alias `e`). */
  where: Sql;
}

/** A validated list query, ready to run. */
export interface ListPlan {
  entity: EntityModel;
  where: Sql;
  sort: SortKey[];
  limit: number;
  offset: number;
  cursor: unknown[] | null;
  /** Fields returned to the caller. */
  output: FieldModel[];
  /** Columns selected (output plus what sorting and cursors need). */
  selected: FieldModel[];
  expansions: Expansion[];
  count: boolean;
  trash: boolean;
}

export class QueryError extends Error {
  constructor(readonly errors: FieldError[]) {
    super('Invalid query');
  }
}

const encodeCursor = (signature: string, values: unknown[]): string => Buffer.from(JSON.stringify({ s: signature, v: values })).toString('base64url');

function decodeCursor(cursor: string, signature: string, keys: number): unknown[] | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; v?: unknown };
    if (parsed.s !== signature || !Array.isArray(parsed.v) || parsed.v.length !== keys) return null;
    if (!parsed.v.every((x) => x === null || typeof x === 'string' || typeof x === 'number')) return null;
    return parsed.v;
  } catch {
    return null;
  }
}

const sortSignature = (sort: SortKey[]): string => sort.map((k) => (k.desc ? '-' : '') + k.field.name).join(',');

/** Plans list queries for one database dialect. */
export class ListPlanner {
  constructor(
    private readonly meta: MetaRegistry,
    private readonly dialect: Dialect,
    private readonly keyring: Keyring | null = null,
  ) {}

  private filters(rowCondition: (e: EntityModel, a: string) => Sql, hidden?: (e: EntityModel, f: string) => boolean): FilterCompiler {
    return new FilterCompiler(this.meta, this.dialect, rowCondition, hidden, this.keyring ? (v) => this.keyring!.blindIndex(v) : null);
  }

  /**
   * Conditions every row must meet to be read (or acted on) by the caller: live (or in
   * the recycle bin) and inside the scopes the caller's roles grant for the action. The
   * one place row-level rules attach; relation paths and expansions use it too.
   */
  rowCondition(entity: EntityModel, alias: string, access: AccessProfile, options: { trash?: boolean; action?: string; depth?: number } = {}): Sql {
    const live: Sql = { text: `${alias}.${this.dialect.quote('deleted_at')} IS ${options.trash ? 'NOT ' : ''}NULL`, params: [] };
    const scoped = this.accessCondition(entity, alias, access, options.action ?? 'read', options.depth ?? 0);
    return scoped ? join([live, scoped], ' AND ') : live;
  }

  /** The caller's grants for `action` on `entity` as SQL; null when nothing restricts them. */
  accessCondition(entity: EntityModel, alias: string, access: AccessProfile, action: string, depth = 0): Sql | null {
    if (access.unrestricted) return null;
    const q = this.dialect.quote;
    const col = (c: string) => `${alias}.${q(c)}`;
    const uid = access.userId ?? 0;
    const inList = (column: string, ids: readonly number[]): Sql | null => (ids.length ? { text: `${col(column)} IN (${ids.map(() => '?').join(', ')})`, params: [...ids] } : null);
    const parts: Sql[] = [];
    for (const scope of access.scopesFor(entity.name, action)) {
      const part = this.scopeCondition(entity, alias, access, scope, col, inList, uid, depth);
      if (part === 'all') return null;
      if (part) parts.push(part);
    }
    const share = action === 'read' || action === 'update' ? this.shareCondition(entity, alias, access, action) : null;
    if (share) parts.push(share);
    return parts.length ? join(parts, ' OR ') : { text: '1=0', params: [] };
  }

  private scopeCondition(
    entity: EntityModel, alias: string, access: AccessProfile, scope: Scope,
    col: (c: string) => string, inList: (column: string, ids: readonly number[]) => Sql | null, uid: number, depth: number,
  ): Sql | null | 'all' {
    const dir = access.directory;
    switch (scope) {
      case 'all':
        return 'all';
      case 'own':
        return { text: `${col('owner_id')} = ?`, params: [uid] };
      case 'department':
        return dir?.departmentId ? { text: `${col('department_id')} = ?`, params: [dir.departmentId] } : null;
      case 'departmentTree':
        return inList('department_id', dir?.departmentTree ?? []);
      case 'subordinates':
        return inList('owner_id', [uid, ...(dir?.subordinates ?? [])]);
      case 'branch':
        return inList('department_id', dir?.branchDepartments ?? []);
      default: {
        if (depth > 3) return null;
        const filters = this.filters((e, a) => this.rowCondition(e, a, access, { depth: depth + 1 }));
        const compiled = filters.compile(entity, alias, substituteVariables(scope.filter, access));
        // A grant whose filter no longer compiles (a field was removed) admits nothing.
        return filters.errors.length || !compiled ? null : compiled;
      }
    }
  }

  private shareCondition(entity: EntityModel, alias: string, access: AccessProfile, action: string): Sql | null {
    if (!access.sharedEntities.has(entity.name)) return null;
    const dir = access.directory;
    const who: Sql[] = [{ text: 's.to_user_id = ?', params: [access.userId ?? 0] }];
    const depts = dir?.departmentId ? [dir.departmentId] : [];
    if (depts.length) who.push({ text: `s.to_department IN (${depts.map(() => '?').join(', ')})`, params: depts });
    if (dir?.groups.length) who.push({ text: `s.to_group IN (${dir.groups.map(() => '?').join(', ')})`, params: [...dir.groups] });
    const principals = join(who, ' OR ');
    return {
      text: `${alias}.${this.dialect.quote('id')} IN (SELECT s.record_id FROM plinth_shares s WHERE s.entity = ? AND s.deleted_at IS NULL${action === 'update' ? ' AND s.can_update = 1' : ''} AND (${principals.text}))`,
      params: [entity.name, ...principals.params],
    };
  }

  plan(entity: EntityModel, query: ListQuery, options: { trash?: boolean; access: AccessProfile }): ListPlan {
    const errors: FieldError[] = [];
    const trash = options.trash === true;
    const access = options.access;
    const hidden = (e: EntityModel, field: string) => access.hiddenFields(e.name).has(field);
    const filters = this.filters((e, a) => this.rowCondition(e, a, access), hidden);
    const base = this.rowCondition(entity, 't', access, { trash });
    const filter = query.filter === undefined ? null : filters.compile(entity, 't', query.filter);
    errors.push(...filters.errors);

    const limit = query.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) errors.push({ field: 'limit', rule: 'range', message: `limit must be an integer from 1 to ${MAX_LIMIT}` });
    const offset = query.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) errors.push({ field: 'offset', rule: 'range', message: `offset must be an integer from 0 to ${MAX_OFFSET}; use cursor for deep pages` });
    if (query.cursor !== undefined && query.offset) errors.push({ field: 'cursor', rule: 'exclusive', message: 'cursor and offset cannot be combined' });

    const sort = this.sortKeys(entity, query.sort ?? ['-id'], errors, trash, access);
    let cursor: unknown[] | null = null;
    if (query.cursor !== undefined) {
      cursor = decodeCursor(query.cursor, sortSignature(sort), sort.length);
      if (!cursor) errors.push({ field: 'cursor', rule: 'invalid', message: 'cursor is not valid for this sort; start again without it' });
    }

    const { output, expansions } = this.selection(entity, query, errors, trash, access);
    if (errors.length) throw new QueryError(errors);

    const parts = [base];
    if (filter) parts.push(filter);
    if (cursor) parts.push(this.keyset(sort, cursor));
    const selected = [...output];
    for (const k of sort) if (!selected.includes(k.field)) selected.push(k.field);
    for (const x of expansions) if (x.field.column && !selected.includes(x.field)) selected.push(x.field);
    return { entity, where: join(parts, ' AND '), sort, limit, offset, cursor, output, selected, expansions, count: query.count === true, trash };
  }

  private sortKeys(entity: EntityModel, spec: readonly string[], errors: FieldError[], trash: boolean, access: AccessProfile): SortKey[] {
    const keys: SortKey[] = [];
    for (const raw of spec) {
      const desc = raw.startsWith('-');
      const name = desc || raw.startsWith('+') ? raw.slice(1) : raw;
      const field = entity.fields.get(name);
      if (!field || (!trash && TRASH_ONLY_FIELDS.has(name)) || access.hiddenFields(entity.name).has(name)) {
        errors.push({ field: 'sort', rule: 'unknown-field', message: `Cannot sort by "${name}": "${entity.name}" has no such field` });
        continue;
      }
      if (!field.column || field.type === 'json' || field.type === 'text' || field.encrypted || field.multiple) {
        errors.push({ field: 'sort', rule: 'not-sortable', message: `Cannot sort by "${name}" (${field.type})` });
        continue;
      }
      if (keys.some((k) => k.field === field)) continue;
      keys.push({ field, desc });
    }
    if (!keys.some((k) => k.field.name === 'id')) keys.push({ field: entity.fields.get('id')!, desc: keys[0]?.desc ?? true });
    return keys;
  }

  private selection(entity: EntityModel, query: ListQuery, errors: FieldError[], trash: boolean, access: AccessProfile): { output: FieldModel[]; expansions: Expansion[] } {
    const visible = (e: EntityModel, name: string) => !access.hiddenFields(e.name).has(name);
    const readable = (e: EntityModel, withTrash: boolean) => e.columns.filter((f) => (withTrash || !TRASH_ONLY_FIELDS.has(f.name)) && visible(e, f.name));
    const nested = new Map<string, string[]>();
    let output: FieldModel[];
    if (query.fields && query.fields.length) {
      output = [entity.fields.get('id')!];
      for (const path of query.fields) {
        const dot = path.indexOf('.');
        if (dot > 0) {
          const head = path.slice(0, dot);
          nested.set(head, [...(nested.get(head) ?? []), path.slice(dot + 1)]);
          continue;
        }
        const f = entity.fields.get(path);
        if (!f || !f.column || (!trash && TRASH_ONLY_FIELDS.has(path)) || !visible(entity, path)) {
          errors.push({ field: 'fields', rule: 'unknown-field', message: `"${entity.name}" has no field "${path}"` });
        } else if (!output.includes(f)) output.push(f);
      }
    } else {
      output = readable(entity, trash);
    }
    const expansions: Expansion[] = [];
    for (const name of query.expand ?? []) {
      const f = entity.fields.get(name);
      if (!f || (f.def.type !== 'reference' && f.def.type !== 'collection') || !visible(entity, name)) {
        errors.push({ field: 'expand', rule: 'not-expandable', message: `"${name}" is not a reference or collection of "${entity.name}"` });
        continue;
      }
      const target = this.meta.get(f.def.entity)!;
      const wanted = nested.get(name) ?? [];
      nested.delete(name);
      const fields: FieldModel[] = [];
      for (const n of wanted) {
        const tf = target.fields.get(n);
        if (!tf || !tf.column || TRASH_ONLY_FIELDS.has(n) || !visible(target, n)) errors.push({ field: 'fields', rule: 'unknown-field', message: `"${target.name}" has no field "${n}"` });
        else fields.push(tf);
      }
      const foreignKey = f.def.type === 'collection' ? target.fields.get(f.def.foreignKey) : undefined;
      expansions.push({ field: f, target, fields: fields.length ? [target.fields.get('id')!, ...fields] : readable(target, false), foreignKey, where: this.rowCondition(target, 'e', access) });
      if (f.column && !output.includes(f)) output.push(f);
    }
    for (const head of nested.keys()) errors.push({ field: 'fields', rule: 'not-expanded', message: `"${head}.…" needs expand=${head}` });
    return { output, expansions };
  }

  /** Rows strictly after the cursor in sort order (NULLs sort first ascending, last descending, in both databases). */
  private keyset(sort: SortKey[], values: unknown[]): Sql {
    const q = this.dialect.quote;
    const ors: Sql[] = [];
    for (let i = 0; i < sort.length; i++) {
      const parts: Sql[] = [];
      for (let j = 0; j < i; j++) {
        const col = `t.${q(sort[j].field.column)}`;
        parts.push(values[j] === null ? { text: `${col} IS NULL`, params: [] } : { text: `${col} = ?`, params: [values[j]] });
      }
      const col = `t.${q(sort[i].field.column)}`;
      const v = values[i];
      if (sort[i].desc) {
        if (v === null) continue;
        parts.push({ text: `(${col} < ? OR ${col} IS NULL)`, params: [v] });
      } else {
        parts.push(v === null ? { text: `${col} IS NOT NULL`, params: [] } : { text: `${col} > ?`, params: [v] });
      }
      ors.push(join(parts, ' AND '));
    }
    return ors.length ? join(ors, ' OR ') : { text: '1=0', params: [] };
  }

  cursorAfter(plan: ListPlan, lastRow: Record<string, unknown>): string {
    return encodeCursor(sortSignature(plan.sort), plan.sort.map((k) => (lastRow[k.field.name] ?? null) as unknown));
  }
}

/** Replace `$user`, `$department` and `$branch` in a grant's filter with the caller's ids. */
function substituteVariables(filter: unknown, access: AccessProfile): unknown {
  const vars: Record<string, unknown> = {
    $user: access.userId,
    $department: access.directory?.departmentId ?? null,
    $branch: access.directory?.branchId ?? null,
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string' && v in vars) return vars[v];
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(filter);
}
