/**
 * The one query language, used by REST lists, permission scopes, flow conditions,
 * scripts, reports and portals alike.
 *
 * A filter is a tree: `{ and: [...] }`, `{ or: [...] }`, `{ not: {...} }`, or a map of
 * field paths to conditions. A bare value means `eq`. A path may cross many-to-one
 * references: `{ "customer.city": { "eq": "上海" } }`.
 */
export type Scalar = string | number | boolean | null;

export interface FieldCondition {
  eq?: Scalar;
  ne?: Scalar;
  gt?: Scalar;
  gte?: Scalar;
  lt?: Scalar;
  lte?: Scalar;
  in?: readonly Scalar[];
  nin?: readonly Scalar[];
  /** SQL LIKE pattern: `%` any run, `_` one character. */
  like?: string;
  /** Substring match; wildcards in the value are taken literally. */
  contains?: string;
  startsWith?: string;
  /** Inclusive range `[from, to]`. */
  between?: readonly [Scalar, Scalar];
  /** `true`: the field is null; `false`: it is not. */
  null?: boolean;
}

export type Filter =
  | { and: readonly Filter[] }
  | { or: readonly Filter[] }
  | { not: Filter }
  | { [path: string]: Scalar | FieldCondition };

export const FILTER_OPERATORS = [
  'eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'like', 'contains', 'startsWith', 'between', 'null',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface ListQuery {
  filter?: Filter;
  /** Field names, `-` prefix for descending: `['-createdAt', 'name']`. */
  sort?: readonly string[];
  limit?: number;
  offset?: number;
  /** Opaque cursor from a previous page's `meta.nextCursor`; excludes `offset`. */
  cursor?: string;
  /** Return only these fields (`id` is always returned). Paths into expansions: `customer.name`. */
  fields?: readonly string[];
  /** Many-to-one references (and one-to-many collections) to embed. */
  expand?: readonly string[];
  /** Compute `meta.total`. */
  count?: boolean;
}

export interface ListMeta {
  limit: number;
  offset?: number;
  total?: number;
  nextCursor?: string | null;
}

export interface ListResult<T> {
  data: T[];
  meta: ListMeta;
}
