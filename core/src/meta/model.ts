import type { EntityDef, FieldDef, FieldType, I18nText, IndexDef } from '@plinth/sdk';

/** A field as the kernel uses it: the plugin's definition plus where it lives. */
export interface FieldModel {
  /** API name (camelCase). */
  name: string;
  /** Column name; empty for collections, which are not columns. */
  column: string;
  type: FieldType;
  label: I18nText;
  def: FieldDef;
  /** Maintained by the platform (id, version, timestamps…), never accepted from a client except owner/department. */
  system: boolean;
  /** Accepted in create/update bodies. */
  writable: boolean;
  required: boolean;
  /** Encrypted at rest; `indexColumn` holds its blind index for equality filters. */
  encrypted: boolean;
  indexColumn: string;
  /** Holds several values: a JSON array in `column`, mirrored row by row in `joinTable` for filtering. */
  multiple: boolean;
  joinTable: string;
  /** Added by an admin at runtime (column `cf_…`), not by a plugin. */
  custom: boolean;
  /** Left out of forms and default list columns (still in the API). */
  hidden: boolean;
  /** Display order among the entity's fields. */
  order: number;
}

export interface EntityModel {
  name: string;
  plural: string;
  table: string;
  label: I18nText;
  plugin: string;
  def: EntityDef;
  /** Every field, system ones first, in declaration order. */
  fields: ReadonlyMap<string, FieldModel>;
  /** Fields that are columns, in select order. */
  columns: readonly FieldModel[];
  /** The fields a client may send. */
  writable: readonly FieldModel[];
  titleField: string;
  indexes: readonly IndexDef[];
}

/** Whether the entity accepts custom fields (plugins may opt out). */
export const isCustomizable = (e: EntityModel): boolean => e.def.customizable !== false;

export const snakeCase = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[-\s]+/g, '_').toLowerCase();

const text = (en: string, zh: string): I18nText => ({ 'zh-CN': zh, en });

/** System fields every record has, with their columns. */
export function systemFields(): FieldModel[] {
  const sys = (name: string, column: string, def: FieldDef, writable = false): FieldModel => ({
    name, column, type: def.type, label: def.label, def, system: true, writable, required: false, encrypted: false, indexColumn: '',
    multiple: false, joinTable: '', custom: false, hidden: false, order: 0,
  });
  return [
    sys('id', 'id', { type: 'integer', label: text('ID', '编号') }),
    sys('version', 'version', { type: 'integer', label: text('Version', '版本') }),
    sys('createdAt', 'created_at', { type: 'datetime', label: text('Created at', '创建时间') }),
    sys('createdBy', 'created_by', { type: 'integer', label: text('Created by', '创建人') }),
    sys('updatedAt', 'updated_at', { type: 'datetime', label: text('Updated at', '修改时间') }),
    sys('updatedBy', 'updated_by', { type: 'integer', label: text('Updated by', '修改人') }),
    sys('owner', 'owner_id', { type: 'integer', label: text('Owner', '负责人') }, true),
    sys('department', 'department_id', { type: 'integer', label: text('Department', '部门') }, true),
    sys('deletedAt', 'deleted_at', { type: 'datetime', label: text('Deleted at', '删除时间') }),
    sys('deletedBy', 'deleted_by', { type: 'integer', label: text('Deleted by', '删除人') }),
  ];
}

/** Fields left out of normal reads (they only matter in the recycle bin). */
export const TRASH_ONLY_FIELDS: ReadonlySet<string> = new Set(['deletedAt', 'deletedBy']);
