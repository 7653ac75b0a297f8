import { ValidationError, type FieldError, type ListQuery } from '@plinth/sdk';

type QueryString = Record<string, string | string[] | undefined>;

const KNOWN = new Set(['filter', 'sort', 'limit', 'offset', 'cursor', 'fields', 'expand', 'count']);
const BRACKET = /^filter((?:\[[^[\]]+\])+)$/;

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

function integer(name: string, raw: string, errors: FieldError[]): number | undefined {
  if (!/^\d{1,9}$/.test(raw)) {
    errors.push({ field: name, rule: 'type', message: `${name} must be a non-negative integer` });
    return undefined;
  }
  return Number(raw);
}

/**
 * Read a list query from the query string:
 * `?filter={"city":"上海"}` or `?filter[city]=上海&filter[age][gte]=30`,
 * `sort=-createdAt,name`, `limit`, `offset`, `cursor`, `fields=a,b`, `expand=customer`, `count=true`.
 */
export function parseListQuery(qs: QueryString): ListQuery {
  const errors: FieldError[] = [];
  const query: { -readonly [K in keyof ListQuery]: ListQuery[K] } = {};
  const bracket: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(qs)) {
    if (value === undefined) continue;
    const m = BRACKET.exec(key);
    if (m) {
      const parts = m[1].slice(1, -1).split('][');
      if (parts.length > 2) {
        errors.push({ field: key, rule: 'syntax', message: 'Use filter[field]=value or filter[field][operator]=value' });
        continue;
      }
      const [field, op] = parts;
      if (Array.isArray(value)) {
        errors.push({ field: key, rule: 'repeated', message: `${key} is given more than once` });
        continue;
      }
      // Lists arrive comma-separated: filter[level][in]=vip,a
      const v = op === 'in' || op === 'nin' || op === 'between' ? value.split(',') : value;
      if (op) bracket[field] = { ...((bracket[field] as object) ?? {}), [op]: v };
      else bracket[field] = v;
      continue;
    }
    if (!KNOWN.has(key)) {
      errors.push({ field: key, rule: 'unknown-parameter', message: `Unknown query parameter "${key}"; known: ${[...KNOWN].join(', ')}` });
      continue;
    }
    if (Array.isArray(value)) {
      errors.push({ field: key, rule: 'repeated', message: `${key} is given more than once` });
      continue;
    }
    switch (key) {
      case 'filter':
        try {
          query.filter = JSON.parse(value);
        } catch {
          errors.push({ field: 'filter', rule: 'json', message: 'filter must be a JSON object' });
        }
        break;
      case 'sort':
        query.sort = list(value);
        break;
      case 'fields':
        query.fields = list(value);
        break;
      case 'expand':
        query.expand = list(value);
        break;
      case 'limit':
        query.limit = integer('limit', value, errors);
        break;
      case 'offset':
        query.offset = integer('offset', value, errors);
        break;
      case 'cursor':
        query.cursor = value;
        break;
      case 'count':
        if (!/^(true|false|1|0)$/.test(value)) errors.push({ field: 'count', rule: 'type', message: 'count must be true or false' });
        query.count = value === 'true' || value === '1';
        break;
    }
  }
  if (Object.keys(bracket).length) {
    query.filter = query.filter === undefined ? (bracket as ListQuery['filter']) : ({ and: [query.filter, bracket] } as ListQuery['filter']);
  }
  if (errors.length) throw new ValidationError(errors, 'The query string is invalid');
  return query;
}

/** Accept the same query as a JSON body (`POST /{entity}/query`) for long filters. */
export function bodyListQuery(body: unknown): ListQuery {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'The query must be a JSON object' }]);
  const errors: FieldError[] = [];
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (!KNOWN.has(key)) errors.push({ field: key, rule: 'unknown-parameter', message: `Unknown query member "${key}"` });
  for (const key of ['sort', 'fields', 'expand'] as const) {
    if (b[key] !== undefined && (!Array.isArray(b[key]) || !(b[key] as unknown[]).every((s) => typeof s === 'string'))) errors.push({ field: key, rule: 'type', message: `${key} must be an array of strings` });
  }
  for (const key of ['limit', 'offset'] as const) if (b[key] !== undefined && !Number.isInteger(b[key])) errors.push({ field: key, rule: 'type', message: `${key} must be an integer` });
  if (b.cursor !== undefined && typeof b.cursor !== 'string') errors.push({ field: 'cursor', rule: 'type', message: 'cursor must be a string' });
  if (b.count !== undefined && typeof b.count !== 'boolean') errors.push({ field: 'count', rule: 'type', message: 'count must be true or false' });
  if (errors.length) throw new ValidationError(errors, 'The query is invalid');
  return b as ListQuery;
}

/** A record id from the path: a positive integer. */
export function parseId(raw: string, name = 'id'): number {
  if (!/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > 2_147_483_647) {
    throw new ValidationError([{ field: name, rule: 'type', message: `${name} must be a positive integer` }]);
  }
  return Number(raw);
}
