import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';
import type { FieldModel, EntityModel } from '../meta/model';
import type { MetaRegistry } from '../meta/registry';

type Property = Record<string, unknown>;

export const entityClassName = (name: string): string => name[0].toUpperCase() + name.slice(1);

/** Default sizes; kept here so validation and columns agree. */
export const DEFAULT_STRING_LENGTH = 255;
export const DEFAULT_TEXT_LENGTH = 65_535;
export const MONEY_PRECISION = 15;
export const MONEY_SCALE = 2;
/** Enum values and dictionary item codes. */
export const ENUM_LENGTH = 64;

export function decimalShape(f: FieldModel): { precision: number; scale: number } {
  const d = f.def as { precision?: number; scale?: number };
  return { precision: d.precision ?? MONEY_PRECISION, scale: d.scale ?? MONEY_SCALE };
}

function property(f: FieldModel, kind: 'sqlite' | 'mysql'): Property {
  // Defaults are applied by the record service, never by the database. MariaDB reports a
  // NULL default of a text column as the string 'NULL', which the MySQL schema differ
  // would otherwise "fix" on every start.
  const base: Property = { fieldName: f.column, nullable: f.name !== 'id' && f.name !== 'version', ignoreSchemaChanges: ['default'] };
  const def = f.def;
  // Ciphertext is longer than the text and is never compared: a text column.
  if (f.encrypted) return { ...base, type: 'text', columnType: 'text' };
  // Several values: a JSON array here for reads, one row each in the join table for filters.
  if (f.multiple) return { ...base, type: 'text', columnType: 'text' };
  switch (def.type) {
    case 'string':
      // MySQL counts a VARCHAR's full size (4 bytes a character) against its 65,535-byte row
      // limit, a TEXT column only ~10 bytes: an admin's unindexed text fields are TEXT there,
      // so an entity can hold hundreds of them (docs/custom-fields.md).
      if (kind === 'mysql' && f.custom && !def.unique && !def.index) return { ...base, type: 'text', columnType: 'text' };
      return { ...base, type: 'string', length: def.length ?? DEFAULT_STRING_LENGTH };
    case 'text': {
      const max = def.maxLength ?? DEFAULT_TEXT_LENGTH;
      // MySQL TEXT holds 65,535 bytes, i.e. 16,383 utf8mb4 characters.
      return { ...base, type: 'text', columnType: kind === 'mysql' ? (max > 16_383 ? 'mediumtext' : 'text') : 'text' };
    }
    case 'integer':
      return f.name === 'id'
        ? { type: 'integer', primary: true, autoincrement: true, fieldName: 'id', unsigned: true }
        : { ...base, type: 'integer' };
    case 'decimal':
    case 'money': {
      const { precision, scale } = decimalShape(f);
      return { ...base, type: 'decimal', precision, scale };
    }
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'date':
      return { ...base, type: 'date', columnType: 'date' };
    case 'datetime':
      return { ...base, type: 'datetime', columnType: kind === 'mysql' ? 'datetime(3)' : 'datetime' };
    case 'enum':
      return { ...base, type: 'string', length: ENUM_LENGTH };
    case 'file':
      return { ...base, type: 'integer', unsigned: true };
    case 'json':
      // Stored as text and validated by the API: MariaDB's JSON is LONGTEXT with a CHECK
      // constraint that the schema differ keeps trying to drop on every sync.
      return { ...base, type: 'text', columnType: kind === 'mysql' ? 'longtext' : 'text' };
    case 'reference':
      return {
        ...base,
        kind: 'm:1',
        entity: entityClassName(def.entity),
        deleteRule: def.onDelete === 'setNull' ? 'set null' : def.onDelete === 'cascade' ? 'cascade' : 'restrict',
        updateRule: 'cascade',
      };
    case 'collection':
      throw new Error('collections are not columns');
  }
}

export const uniqueIndexName = (table: string, column: string): string => `uq_${table}_${column}`;

export function entitySchema(model: EntityModel, kind: 'sqlite' | 'mysql'): EntitySchema {
  const properties: Record<string, Property> = {};
  for (const f of model.columns) properties[f.name] = property(f, kind);
  for (const f of model.columns) {
    if (f.encrypted) properties[`${f.name}$bidx`] = { type: 'string', length: 64, fieldName: f.indexColumn, nullable: true, ignoreSchemaChanges: ['default'] };
  }
  // Non-unique indexes end with deleted_at, id, department and owner: every read filters
  // on deleted_at (constant, so the order of the declared fields then id — our tie-break —
  // still comes from the index), and every scoped read on department or owner, so counts
  // and scope checks are answered from the index without visiting rows: a scoped list
  // costs what an unrestricted one does.
  const live = (properties: string[]) => [...properties, 'deletedAt', 'id', 'department', 'owner'];
  const indexes: { properties: string[]; name: string }[] = [
    { properties: live(['createdAt']), name: `idx_${model.table}_created_at` },
    { properties: ['owner', 'deletedAt'], name: `idx_${model.table}_owner_id` },
    { properties: ['department', 'deletedAt', 'owner'], name: `idx_${model.table}_department_id` },
  ];
  const uniques: { properties: string[]; name: string }[] = [];
  for (const f of model.columns) {
    if (f.system) continue;
    const d = f.def as { unique?: boolean; index?: boolean };
    // An encrypted field is unique and looked up through its blind index.
    const key = f.encrypted ? `${f.name}$bidx` : f.name;
    if (d.unique) uniques.push({ properties: [key], name: uniqueIndexName(model.table, f.column) });
    else if (f.encrypted) indexes.push({ properties: [key], name: `idx_${model.table}_${f.indexColumn}` });
    else if (f.multiple) continue;
    else if (d.index && f.type !== 'reference') indexes.push({ properties: live([f.name]), name: `idx_${model.table}_${f.column}` });
  }
  for (const index of model.indexes) {
    const columns = index.fields.map((n) => model.fields.get(n)!.column);
    const name = index.name ?? `${index.unique ? 'uq' : 'idx'}_${model.table}_${columns.join('_')}`;
    if (index.unique) uniques.push({ properties: [...index.fields], name });
    else indexes.push({ properties: live([...index.fields]), name });
  }
  const meta = {
    name: entityClassName(model.name),
    tableName: model.table,
    properties,
    indexes,
    uniques,
  } as unknown as EntitySchemaMetadata<Record<string, unknown>>;
  return new EntitySchema(meta);
}

/**
 * The join table of a multi-valued field: one row per (record, value), keyed for both
 * directions ("values of these records" and "records holding this value").
 */
export function joinTableSchema(model: EntityModel, f: FieldModel): EntitySchema {
  const value = f.type === 'file' ? { type: 'integer', unsigned: true } : { type: 'string', length: ENUM_LENGTH };
  const meta = {
    name: `${entityClassName(model.name)}__${f.name}`,
    tableName: f.joinTable,
    properties: {
      record: { type: 'integer', unsigned: true, fieldName: 'record_id', primary: true },
      value: { ...value, fieldName: 'value', primary: true },
      position: { type: 'integer', fieldName: 'position' },
    },
    indexes: [{ properties: ['value', 'record'], name: `idx_${f.joinTable}_value` }],
  } as unknown as EntitySchemaMetadata<Record<string, unknown>>;
  return new EntitySchema(meta);
}

export function entitySchemas(meta: MetaRegistry, kind: 'sqlite' | 'mysql'): EntitySchema[] {
  const out: EntitySchema[] = [];
  for (const m of meta.all()) {
    out.push(entitySchema(m, kind));
    for (const f of m.columns) if (f.multiple) out.push(joinTableSchema(m, f));
  }
  return out;
}
