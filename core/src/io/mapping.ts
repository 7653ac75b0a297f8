import { ForbiddenError, ValidationError, type FieldError } from '@plinth/sdk';
import type { EntityModel, FieldModel } from '../meta/model';
import { allLabels } from './lang';
import { normalize } from './cells-in';
import { columnLetter } from './columns';

/** What the caller may do with the entity's fields. */
export interface FieldRights {
  hidden: ReadonlySet<string>;
  readonly: ReadonlySet<string>;
}

export interface SuggestedColumn {
  index: number;
  letter: string;
  header: string;
  /** The field the column is read into; null: ignored. */
  field: string | null;
  /** How the header matched: the API name, a label, or nothing. */
  match: 'name' | 'label' | null;
  /** Why a column is ignored (read-only, ambiguous, no such field…). */
  note?: string;
}

/** A column bound to a field. */
export interface Binding {
  index: number;
  letter: string;
  header: string;
  field: FieldModel;
}

/** Fields an import may write for this caller: writable, visible and not read-only to them. */
export const importable = (f: FieldModel, rights: FieldRights): boolean => f.writable && !rights.hidden.has(f.name) && !rights.readonly.has(f.name);

/** Whether a field can identify a record for upserts: the id, or a field whose values are unique. */
export function uniqueField(entity: EntityModel, f: FieldModel): boolean {
  if (f.name === 'id') return true;
  if (f.system || f.column === '' || f.type === 'json' || f.multiple) return false;
  return (f.def as { unique?: boolean }).unique === true || entity.indexes.some((ix) => ix.unique && ix.fields.length === 1 && ix.fields[0] === f.name);
}

/** Trailing required-marks and the API name a header may carry: `客户名称*`, `部门 (departmentName)`. */
const MARKS = /[\s*＊]+$/;
const NAME_SUFFIX = /^(.*?)\s*[(（]\s*([a-zA-Z][a-zA-Z0-9]*)\s*[)）]$/;

/** Which visible fields a header names: by API name first, then by a label in any language. */
function matchHeader(entity: EntityModel, header: string, rights: FieldRights): { fields: FieldModel[]; match: 'name' | 'label' | null } {
  const visible = (f: FieldModel | undefined): f is FieldModel => f !== undefined && f.column !== '' && !rights.hidden.has(f.name) && f.name !== 'deletedAt' && f.name !== 'deletedBy';
  const text = header.replace(MARKS, '');
  const suffixed = NAME_SUFFIX.exec(text);
  if (suffixed && visible(entity.fields.get(suffixed[2]))) return { fields: [entity.fields.get(suffixed[2])!], match: 'name' };
  const byName = [...entity.fields.values()].filter((f) => visible(f) && f.name.toLowerCase() === text.trim().toLowerCase());
  if (byName.length) return { fields: byName, match: 'name' };
  const wanted = normalize(text);
  const byLabel = [...entity.fields.values()].filter((f) => visible(f) && allLabels(f.label).some((l) => normalize(l) === wanted));
  return { fields: byLabel, match: byLabel.length ? 'label' : null };
}

/**
 * A mapping for the file's headers: each column read into the field its header names
 * (label in any language or API name), or ignored with a note saying why.
 */
export function suggestMapping(entity: EntityModel, headers: readonly string[], rights: FieldRights, key: string | undefined): SuggestedColumn[] {
  const taken = new Set<string>();
  return headers.map((header, index) => {
    const base = { index: index + 1, letter: columnLetter(index), header };
    if (header.trim() === '') return { ...base, field: null, match: null, note: 'no header' };
    const { fields, match } = matchHeader(entity, header, rights);
    if (fields.length === 0) return { ...base, field: null, match: null, note: 'no field has this name or label' };
    // Two fields share a label (a contact's 部门 and its owning 部门): prefer the entity's own field.
    const own = fields.filter((f) => !f.system);
    const chosen = fields.length === 1 ? fields[0] : own.length === 1 ? own[0] : null;
    if (!chosen) return { ...base, field: null, match, note: `ambiguous: ${fields.map((f) => f.name).join(', ')}` };
    if (chosen.name === 'id' && key !== 'id') return { ...base, field: null, match, note: 'id is read only as the key (key=id)' };
    if (chosen.name !== key && !importable(chosen, rights)) return { ...base, field: null, match, note: `${chosen.name} is read-only` };
    if (taken.has(chosen.name)) return { ...base, field: null, match, note: `${chosen.name} is already read from another column` };
    taken.add(chosen.name);
    return { ...base, field: chosen.name, match };
  });
}

/**
 * The columns an import reads. With an explicit `mapping` ({header: field or null}),
 * exactly the columns it names; without, the suggestion — where a column whose header
 * names no field is an error (map it, or to null to ignore it), so data is never dropped
 * silently. Mapping a field the caller may not write is refused.
 */
export function bindColumns(entity: EntityModel, headers: readonly string[], mapping: Record<string, unknown> | undefined, rights: FieldRights, key: string | undefined): Binding[] {
  const errors: FieldError[] = [];
  const bindings: Binding[] = [];
  const forbidden: FieldError[] = [];
  if (mapping === undefined) {
    for (const col of suggestMapping(entity, headers, rights, key)) {
      if (col.field) bindings.push({ index: col.index - 1, letter: col.letter, header: col.header, field: entity.fields.get(col.field)! });
      else if (col.note === 'no field has this name or label' || col.note?.startsWith('ambiguous')) {
        errors.push({ field: `mapping.${col.header}`, rule: col.note.startsWith('ambiguous') ? 'ambiguous' : 'unknown-column', message: `Column ${col.letter} "${col.header}": ${col.note}; give a mapping (or map it to null to ignore it)` });
      }
    }
  } else {
    const positions = new Map<string, number[]>();
    headers.forEach((h, i) => positions.set(h, [...(positions.get(h) ?? []), i]));
    const used = new Map<string, string>();
    for (const [header, target] of Object.entries(mapping)) {
      const at = `mapping.${header}`;
      const where = positions.get(header);
      if (!where) {
        errors.push({ field: at, rule: 'unknown-column', message: `The file has no column "${header}"` });
        continue;
      }
      if (target === null) continue;
      if (typeof target !== 'string') {
        errors.push({ field: at, rule: 'type', message: 'Map a column to a field name, or to null to ignore it' });
        continue;
      }
      if (where.length > 1) {
        errors.push({ field: at, rule: 'duplicate-column', message: `"${header}" heads columns ${where.map(columnLetter).join(' and ')}; rename one` });
        continue;
      }
      const f = entity.fields.get(target);
      if (!f || f.column === '' || rights.hidden.has(f.name)) {
        errors.push({ field: at, rule: 'unknown-field', message: `${entity.name} has no field "${target}"` });
        continue;
      }
      if (f.name === 'id' && key !== 'id') {
        errors.push({ field: at, rule: 'readonly', message: 'id can only be read as the key (key=id)' });
        continue;
      }
      if (f.name !== 'id' && !f.writable) {
        errors.push({ field: at, rule: 'readonly', message: `${f.name} is set by the platform and cannot be imported` });
        continue;
      }
      if (rights.readonly.has(f.name) && f.name !== key) {
        forbidden.push({ field: at, rule: 'forbidden', message: `You may not write ${f.name}` });
        continue;
      }
      const before = used.get(f.name);
      if (before !== undefined) {
        errors.push({ field: at, rule: 'duplicate', message: `${f.name} is already read from column "${before}"` });
        continue;
      }
      used.set(f.name, header);
      bindings.push({ index: where[0], letter: columnLetter(where[0]), header, field: f });
    }
  }
  if (key !== undefined && !errors.length && !bindings.some((b) => b.field.name === key)) {
    errors.push({ field: 'key', rule: 'required', message: `No column is read into the key field ${key}` });
  }
  if (errors.length) throw new ValidationError(errors, 'The column mapping is invalid');
  if (forbidden.length) throw new ForbiddenError(`You may not write ${forbidden.map((e) => e.field.slice('mapping.'.length)).join(', ')}`, forbidden);
  if (!bindings.length) throw new ValidationError([{ field: 'mapping', rule: 'required', message: 'No column is read into any field' }], 'The column mapping is invalid');
  return bindings;
}

/** Check the key of an upsert: a field the caller sees whose values are unique. */
export function checkKey(entity: EntityModel, key: string, rights: FieldRights): FieldModel {
  const f = entity.fields.get(key);
  if (!f || f.column === '' || rights.hidden.has(key)) throw new ValidationError([{ field: 'key', rule: 'unknown-field', message: `${entity.name} has no field "${key}"` }]);
  if (!uniqueField(entity, f)) {
    throw new ValidationError([{ field: 'key', rule: 'not-unique', message: `${key} is not a unique field of ${entity.name}, so it cannot identify records; use id or a unique field` }]);
  }
  return f;
}
