import type { FieldDef, FieldValue, I18nText, CollectionField } from './fields';

export interface IndexDef<K extends string = string> {
  fields: readonly K[];
  unique?: boolean;
  name?: string;
}

interface EntityDefCommon<F extends Record<string, FieldDef>> {
  /** Singular, camelCase, unique across plugins: `customer`. */
  name: string;
  /** Plural used in the REST path `/api/v1/{plural}`. Default `name + 's'`. */
  plural?: string;
  /** Table name. Default: the plural in snake_case. */
  table?: string;
  label: I18nText;
  description?: I18nText;
  fields: F;
  /** Whether admins may add custom fields. Default true. */
  customizable?: boolean;
  /**
   * How forms and record pages group the fields, in order. Fields in no section (custom
   * fields among them) follow in a last section; the system fields have their own.
   */
  sections?: readonly EntitySection[];
}

export interface EntitySection {
  /** Stable key (camelCase). */
  key: string;
  label: I18nText;
  fields: readonly string[];
}

/** An entity as plugins hand it to the kernel. Covariant in its fields, so any entity fits `EntityDef`. */
export interface EntityDef<F extends Record<string, FieldDef> = Record<string, FieldDef>> extends EntityDefCommon<F> {
  indexes?: readonly IndexDef[];
  titleField?: string;
}

/** What `defineEntity` accepts: index fields and `titleField` are checked against the declared fields. */
export interface EntityInput<F extends Record<string, FieldDef>> extends EntityDefCommon<F> {
  indexes?: readonly IndexDef<Extract<keyof F, string> | SystemFieldName>[];
  /** The field shown when a record is referenced (lookups, expansions). Default: first string field. */
  titleField?: Extract<keyof F, string>;
}

/** Columns every record has; plugins must not declare them. */
export const SYSTEM_FIELDS = [
  'id',
  'version',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
  'owner',
  'department',
  'deletedAt',
  'deletedBy',
] as const;
export type SystemFieldName = (typeof SYSTEM_FIELDS)[number];

export interface SystemFields {
  id: number;
  version: number;
  createdAt: string;
  createdBy: number | null;
  updatedAt: string;
  updatedBy: number | null;
  owner: number | null;
  department: number | null;
}

type StoredKeys<F extends Record<string, FieldDef>> = {
  [K in keyof F]: F[K] extends CollectionField ? never : K;
}[keyof F];
type RequiredKeys<F extends Record<string, FieldDef>> = {
  [K in StoredKeys<F>]: F[K] extends { required: true } ? K : never;
}[StoredKeys<F>];
type OptionalKeys<F extends Record<string, FieldDef>> = Exclude<StoredKeys<F>, RequiredKeys<F>>;

/** The record type of an entity: `RecordOf<typeof customer>`. */
export type RecordOf<E extends EntityDef> = E extends EntityDef<infer F>
  ? SystemFields & { [K in RequiredKeys<F>]: FieldValue<F[K]> } & { [K in OptionalKeys<F>]: FieldValue<F[K]> | null }
  : never;

/** The body accepted when creating a record of an entity. */
export type CreateInput<E extends EntityDef> = E extends EntityDef<infer F>
  ? { [K in RequiredKeys<F>]: FieldValue<F[K]> } & { [K in OptionalKeys<F>]?: FieldValue<F[K]> | null } & {
      owner?: number | null;
      department?: number | null;
    }
  : never;

/**
 * Declare an entity. The field map is kept literally (`const` type parameter), so index
 * field names, `titleField` and `RecordOf<>` are all checked by the compiler.
 */
export function defineEntity<const F extends Record<string, FieldDef>>(def: EntityInput<F>): EntityDef<F> {
  return def;
}
