import { FILTER_OPERATORS, type FieldError, type FilterOperator } from '@plinth/sdk';
import type { EntityModel, FieldModel } from '../meta/model';
import type { MetaRegistry } from '../meta/registry';
import type { Dialect } from '../data/dialect';
import { coerceFilterValue } from './values';

/** A piece of SQL with its bound parameters. */
export interface Sql {
  text: string;
  params: unknown[];
}

const OPERATORS: ReadonlySet<string> = new Set(FILTER_OPERATORS);
const COMPARE: Record<string, string> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const MAX_DEPTH = 8;
const MAX_IN = 1000;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Compiles a filter tree against an entity's metadata into a SQL condition. Unknown
 * fields and operators, wrong value types and over-deep trees are collected as field
 * errors (`filter.<path>`), never passed to the database. A path through a reference
 * (`customer.city`) becomes a subquery on the referenced entity, which gets the same
 * row conditions as a direct read of it (so it can never see what a read could not).
 */
export class FilterCompiler {
  private alias = 0;
  readonly errors: FieldError[] = [];

  constructor(
    private readonly meta: MetaRegistry,
    private readonly dialect: Dialect,
    /** Conditions every row of an entity must meet wherever it is read: live, and readable by the caller. */
    private readonly baseCondition: (entity: EntityModel, alias: string) => Sql,
    /** Fields the caller may not see; they behave as if they did not exist. */
    private readonly isHidden: (entity: EntityModel, field: string) => boolean = () => false,
    /** Blind index of a value, for equality on encrypted fields. */
    private readonly blindIndex: ((value: string) => string) | null = null,
  ) {}

  compile(entity: EntityModel, alias: string, filter: unknown, at = 'filter'): Sql | null {
    return this.node(entity, alias, filter, at, 0);
  }

  private fail(field: string, rule: string, message: string): null {
    this.errors.push({ field, rule, message });
    return null;
  }

  private node(entity: EntityModel, alias: string, node: unknown, at: string, depth: number): Sql | null {
    if (depth > MAX_DEPTH) return this.fail(at, 'depth', `Filter is nested deeper than ${MAX_DEPTH} levels`);
    if (!isPlainObject(node)) return this.fail(at, 'type', 'A filter must be an object');
    const parts: Sql[] = [];
    for (const [key, value] of Object.entries(node)) {
      if (key === 'and' || key === 'or') {
        if (!Array.isArray(value) || value.length === 0) {
          this.fail(`${at}.${key}`, 'type', `"${key}" takes a non-empty array of filters`);
          continue;
        }
        const items = value.map((v, i) => this.node(entity, alias, v, `${at}.${key}[${i}]`, depth + 1)).filter((s): s is Sql => s !== null);
        if (items.length === value.length) parts.push(join(items, key === 'and' ? ' AND ' : ' OR '));
      } else if (key === 'not') {
        const inner = this.node(entity, alias, value, `${at}.not`, depth + 1);
        if (inner) parts.push({ text: `NOT (${inner.text})`, params: inner.params });
      } else {
        const cond = this.path(entity, alias, key, value, `${at}.${key}`, depth);
        if (cond) parts.push(cond);
      }
    }
    if (parts.length === 0) return this.errors.length ? null : { text: '1=1', params: [] };
    return join(parts, ' AND ');
  }

  private path(entity: EntityModel, alias: string, path: string, condition: unknown, at: string, depth: number): Sql | null {
    const dot = path.indexOf('.');
    const head = dot < 0 ? path : path.slice(0, dot);
    const field = entity.fields.get(head);
    if (!field || field.name === 'deletedAt' || field.name === 'deletedBy' || this.isHidden(entity, head)) {
      return this.fail(at, 'unknown-field', `"${entity.name}" has no field "${head}"`);
    }
    if (dot < 0) return this.condition(field, alias, condition, at);
    if (field.def.type !== 'reference') return this.fail(at, 'not-a-reference', `"${head}" is not a reference, so "${path}" cannot be followed`);
    if (depth >= MAX_DEPTH) return this.fail(at, 'depth', `Path "${path}" is too deep`);
    const target = this.meta.get(field.def.entity)!;
    const sub = `r${++this.alias}`;
    const inner = this.path(target, sub, path.slice(dot + 1), condition, at, depth + 1);
    if (!inner) return null;
    const q = this.dialect.quote;
    const base = this.baseCondition(target, sub);
    return {
      text: `${alias}.${q(field.column)} IN (SELECT ${sub}.${q('id')} FROM ${q(target.table)} ${sub} WHERE ${base.text} AND (${inner.text}))`,
      params: [...base.params, ...inner.params],
    };
  }

  private condition(field: FieldModel, alias: string, condition: unknown, at: string): Sql | null {
    if (field.type === 'collection') return this.fail(at, 'not-filterable', `"${field.name}" is a collection; filter on its entity instead`);
    const col = field.multiple ? alias : `${alias}.${this.dialect.quote(field.column)}`;
    if (!isPlainObject(condition)) return this.operator(field, col, 'eq', condition, at);
    const parts: Sql[] = [];
    const entries = Object.entries(condition);
    if (entries.length === 0) return this.fail(at, 'operator', 'An empty condition has no operator');
    for (const [op, value] of entries) {
      if (!OPERATORS.has(op)) {
        this.fail(`${at}.${op}`, 'operator', `Unknown operator "${op}"; use one of ${FILTER_OPERATORS.join(', ')}`);
        continue;
      }
      const sql = this.operator(field, col, op as FilterOperator, value, `${at}.${op}`);
      if (sql) parts.push(sql);
    }
    return parts.length === entries.length ? join(parts, ' AND ') : null;
  }

  private encryptedOperator(field: FieldModel, col: string, op: FilterOperator, raw: unknown, at: string): Sql | null {
    const allowed = ['eq', 'ne', 'in', 'nin', 'null'];
    if (!allowed.includes(op) || !this.blindIndex) return this.fail(at, 'not-filterable', `"${field.name}" is encrypted; only ${allowed.join(', ')} apply to it`);
    if (op === 'null') return this.operator({ ...field, encrypted: false }, col, op, raw, at);
    const indexCol = encryptedColumn(field, col);
    const digest = (v: unknown, where: string): string | null => {
      if (typeof v !== 'string') {
        this.fail(where, 'type', `"${field.name}" is compared with a string`);
        return null;
      }
      return this.blindIndex!(v);
    };
    if (op === 'eq' || op === 'ne') {
      if (raw === null) return { text: `${col} IS ${op === 'eq' ? '' : 'NOT '}NULL`, params: [] };
      const d = digest(raw, at);
      if (d === null) return null;
      return op === 'eq' ? { text: `${indexCol} = ?`, params: [d] } : { text: `(${indexCol} <> ? OR ${indexCol} IS NULL)`, params: [d] };
    }
    if (!Array.isArray(raw)) return this.fail(at, 'type', `"${op}" takes an array`);
    if (raw.length === 0) return { text: op === 'in' ? '1=0' : '1=1', params: [] };
    const digests: string[] = [];
    for (const [i, v] of raw.entries()) {
      const d = digest(v, `${at}[${i}]`);
      if (d === null) return null;
      digests.push(d);
    }
    const marks = digests.map(() => '?').join(', ');
    return op === 'in' ? { text: `${indexCol} IN (${marks})`, params: digests } : { text: `(${indexCol} NOT IN (${marks}) OR ${indexCol} IS NULL)`, params: digests };
  }

  private value(field: FieldModel, value: unknown, at: string): { ok: boolean; value: unknown } {
    if (field.type === 'json') {
      this.fail(at, 'not-filterable', `"${field.name}" is a JSON field; only "null" applies to it`);
      return { ok: false, value: null };
    }
    const c = coerceFilterValue(field, value);
    if (!c.ok) {
      this.fail(at, 'type', `"${field.name}" is compared with ${c.expected}`);
      return { ok: false, value: null };
    }
    return c;
  }

  /**
   * A multi-valued field is matched through its join table: `eq`/`contains` hold the
   * value, `in` holds any of them, `ne`/`nin` hold none of them, `null` holds nothing.
   */
  private multiOperator(field: FieldModel, alias: string, op: FilterOperator, raw: unknown, at: string): Sql | null {
    const q = this.dialect.quote;
    const sub = `j${++this.alias}`;
    const exists = (cond: Sql | null, negate: boolean): Sql => ({
      text: `${negate ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${q(field.joinTable)} ${sub} WHERE ${sub}.${q('record_id')} = ${alias}.${q('id')}${cond ? ` AND ${cond.text}` : ''})`,
      params: cond?.params ?? [],
    });
    const col = `${sub}.${q('value')}`;
    switch (op) {
      case 'null': {
        const flag = raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : undefined;
        if (flag === undefined) return this.fail(at, 'type', '"null" takes true or false');
        return exists(null, flag);
      }
      case 'eq':
      case 'contains':
      case 'ne': {
        if (raw === null) return exists(null, op !== 'ne');
        const v = this.value(field, raw, at);
        return v.ok ? exists({ text: `${col} = ?`, params: [v.value] }, op === 'ne') : null;
      }
      case 'in':
      case 'nin': {
        const inner = this.operator({ ...field, multiple: false }, col, 'in', raw, at);
        return inner ? exists(inner, op === 'nin') : null;
      }
      default:
        return this.fail(at, 'not-filterable', `"${field.name}" holds several values; use eq, ne, in, nin, contains or null`);
    }
  }

  private operator(field: FieldModel, col: string, op: FilterOperator, raw: unknown, at: string): Sql | null {
    if (field.multiple) return this.multiOperator(field, col, op, raw, at);
    if (field.encrypted) return this.encryptedOperator(field, col, op, raw, at);
    switch (op) {
      case 'eq':
      case 'ne': {
        if (raw === null) return { text: `${col} IS ${op === 'eq' ? '' : 'NOT '}NULL`, params: [] };
        const v = this.value(field, raw, at);
        if (!v.ok) return null;
        return op === 'eq' ? { text: `${col} = ?`, params: [v.value] } : { text: `(${col} <> ? OR ${col} IS NULL)`, params: [v.value] };
      }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        if (raw === null) return this.fail(at, 'type', `"${op}" needs a value, not null`);
        const v = this.value(field, raw, at);
        return v.ok ? { text: `${col} ${COMPARE[op]} ?`, params: [v.value] } : null;
      }
      case 'in':
      case 'nin': {
        const list = raw;
        if (!Array.isArray(list)) return this.fail(at, 'type', `"${op}" takes an array`);
        if (list.length > MAX_IN) return this.fail(at, 'maxItems', `"${op}" takes at most ${MAX_IN} values`);
        if (list.length === 0) return { text: op === 'in' ? '1=0' : '1=1', params: [] };
        const values: unknown[] = [];
        for (const [i, item] of list.entries()) {
          const v = this.value(field, item, `${at}[${i}]`);
          if (!v.ok) return null;
          values.push(v.value);
        }
        const marks = values.map(() => '?').join(', ');
        return op === 'in' ? { text: `${col} IN (${marks})`, params: values } : { text: `(${col} NOT IN (${marks}) OR ${col} IS NULL)`, params: values };
      }
      case 'like':
      case 'contains':
      case 'startsWith': {
        if (field.type !== 'string' && field.type !== 'text' && field.type !== 'enum') {
          return this.fail(at, 'type', `"${op}" applies to text fields only`);
        }
        if (typeof raw !== 'string' || raw.length === 0) return this.fail(at, 'type', `"${op}" takes a non-empty string`);
        const pattern = op === 'like' ? raw : op === 'contains' ? `%${escapeLike(raw)}%` : `${escapeLike(raw)}%`;
        return { text: `${col} LIKE ? ${op === 'like' ? '' : this.dialect.likeEscape}`.trimEnd(), params: [pattern] };
      }
      case 'between': {
        const pair = raw;
        if (!Array.isArray(pair) || pair.length !== 2) return this.fail(at, 'type', '"between" takes two values [from, to]');
        const from = this.value(field, pair[0], `${at}[0]`);
        const to = this.value(field, pair[1], `${at}[1]`);
        if (!from.ok || !to.ok || from.value === null || to.value === null) return from.ok && to.ok ? this.fail(at, 'type', '"between" needs two non-null values') : null;
        return { text: `${col} BETWEEN ? AND ?`, params: [from.value, to.value] };
      }
      case 'null': {
        const flag = raw === true || raw === 'true' ? true : raw === false || raw === 'false' ? false : undefined;
        if (flag === undefined) return this.fail(at, 'type', '"null" takes true or false');
        return { text: `${col} IS ${flag ? '' : 'NOT '}NULL`, params: [] };
      }
    }
  }
}

/** The blind-index column beside an encrypted field's column (aliases never contain column names). */
const encryptedColumn = (field: FieldModel, col: string): string => col.replace(field.column, field.indexColumn);

export function join(parts: readonly Sql[], separator: string): Sql {
  if (parts.length === 1) return parts[0];
  return { text: parts.map((p) => `(${p.text})`).join(separator), params: parts.flatMap((p) => p.params) };
}
