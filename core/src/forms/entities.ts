import type { DetailFormField, EntityDef, FieldDef, FormDefinition, FormValueField, I18nText } from '@plinth/sdk';
import { snakeCase } from '../meta/model';
import { decimalShape } from './schema';

/** The plugin name data-form entities are registered under. */
export const FORMS_PLUGIN = 'forms';

const pascal = (s: string) => s[0].toUpperCase() + s.slice(1);

/** Entity names of a data form: its records (header) and its detail rows. */
export function formEntityNames(code: string): { header: string; detail: string } {
  return { header: `form${pascal(code)}`, detail: `form${pascal(code)}Detail` };
}

/** The REST path of a data form's records in the generic API: `/api/v1/{plural}`. */
export const formRecordsPlural = (code: string): string => `${formEntityNames(code).header}Records`;

/**
 * A form field as a stored field. Required-ness, visibility and defaults are conditional
 * and belong to the form (processSubmission), so no stored field is `required`; computed
 * fields are `readonly`.
 */
function fieldDef(f: FormValueField): FieldDef {
  const common = {
    label: f.label,
    ...(f.help ? { help: f.help } : {}),
    ...(f.index ? { index: true } : {}),
    ...(f.unique ? { unique: true } : {}),
    ...(f.sensitive ? { sensitive: true } : {}),
    ...(f.formula || f.computedBy ? { readonly: true } : {}),
  };
  switch (f.type) {
    case 'string':
      return { ...common, type: 'string', length: f.length ?? 255, ...(f.minLength !== undefined ? { minLength: f.minLength } : {}), ...(f.pattern ? { pattern: f.pattern } : {}), ...(f.format ? { format: f.format } : {}) };
    case 'text':
      return { ...common, type: 'text', ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}) };
    case 'integer':
      return { ...common, type: 'integer', ...(f.min !== undefined ? { min: f.min } : {}), ...(f.max !== undefined ? { max: f.max } : {}) };
    case 'decimal':
    case 'money': {
      const { precision, scale } = decimalShape(f);
      return { ...common, type: f.type, precision, scale, ...(f.min !== undefined ? { min: f.min } : {}), ...(f.max !== undefined ? { max: f.max } : {}) };
    }
    case 'boolean':
      return { ...common, type: 'boolean' };
    case 'date':
      return { ...common, type: 'date', ...(f.min ? { min: f.min } : {}), ...(f.max ? { max: f.max } : {}) };
    case 'datetime':
      return { ...common, type: 'datetime' };
    case 'enum':
      return { ...common, type: 'enum', ...(f.values ? { values: f.values } : { dictionary: f.dictionary! }), ...(f.multiple ? { multiple: true } : {}) };
    case 'reference':
      return { ...common, type: 'reference', entity: f.entity, onDelete: 'restrict' };
    case 'user':
      return { ...common, type: 'reference', entity: 'user', onDelete: 'restrict' };
    case 'department':
      return { ...common, type: 'reference', entity: 'department', onDelete: 'restrict' };
    case 'file':
      return { ...common, type: 'file', ...(f.multiple ? { multiple: true } : {}) };
  }
}

const joined = (a: I18nText, b: I18nText): I18nText => ({ 'zh-CN': `${a['zh-CN']} · ${b['zh-CN']}`, en: `${a.en} · ${b.en}` });

/**
 * A data form as entities, so the generic REST API, the query language, permissions and
 * export apply to its records: the header entity `form<Code>` (REST `/api/v1/form<Code>Records`,
 * table `form_<code>`) and, with a detail table, the entity `form<Code>Detail` whose rows
 * reference their header (`header`, deleted with it) in order (`rowNo`), listed on the
 * header as a collection named like the detail table.
 */
export function formToEntities(def: FormDefinition): EntityDef[] {
  const names = formEntityNames(def.code);
  const table = `form_${snakeCase(def.code)}`;
  const fields: Record<string, FieldDef> = {};
  let detail: DetailFormField | undefined;
  for (const f of def.fields) {
    if (f.type === 'detail') detail = f;
    else fields[f.name] = fieldDef(f);
  }
  if (detail) fields[detail.name] = { type: 'collection', label: detail.label, entity: names.detail, foreignKey: 'header' };
  const titleField = def.titleField ?? def.fields.find((f) => f.type === 'string' && !f.formula)?.name;
  const header: EntityDef = {
    name: names.header,
    plural: formRecordsPlural(def.code),
    table,
    label: def.label,
    ...(def.description ? { description: def.description } : {}),
    fields,
    customizable: false,
    ...(titleField ? { titleField } : {}),
  };
  if (!detail) return [header];
  const rowFields: Record<string, FieldDef> = {
    header: { type: 'reference', entity: names.header, label: def.label, required: true, onDelete: 'cascade' },
    rowNo: { type: 'integer', label: { 'zh-CN': '行号', en: 'Row' }, required: true, min: 1, max: 100_000 },
  };
  for (const c of detail.fields) rowFields[c.name] = fieldDef(c);
  const rows: EntityDef = {
    name: names.detail,
    plural: `${names.detail}Records`,
    table: `${table}_detail`,
    label: joined(def.label, detail.label),
    fields: rowFields,
    customizable: false,
    indexes: [{ fields: ['header', 'rowNo'] }],
  };
  return [header, rows];
}
