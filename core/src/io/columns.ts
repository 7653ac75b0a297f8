import type { EntityModel, FieldModel } from '../meta/model';
import { TRASH_ONLY_FIELDS } from '../meta/model';
import type { MetaRegistry } from '../meta/registry';
import { labelOf, type Lang } from './lang';

/** System fields that hold a user's or a department's id: exported and imported like references. */
const USER_FIELDS: ReadonlySet<string> = new Set(['owner', 'createdBy', 'updatedBy', 'deletedBy']);

/** The entity a field points to (a reference, or owner/department…); null for other fields. */
export function referenceTarget(meta: MetaRegistry, field: FieldModel): EntityModel | null {
  if (field.def.type === 'reference') return meta.get(field.def.entity) ?? null;
  if (USER_FIELDS.has(field.name)) return meta.get('user') ?? null;
  if (field.name === 'department' && field.system) return meta.get('department') ?? null;
  return null;
}

/** What an export holds when no `fields` are asked for: id, the entity's own fields, owner, department and the timestamps. */
export function defaultExportFields(entity: EntityModel, hidden: ReadonlySet<string>): FieldModel[] {
  // Fields an admin hid from default list columns stay out unless asked for by name.
  const own = entity.columns.filter((f) => !f.system && !f.hidden && !hidden.has(f.name));
  const sys = ['owner', 'department', 'createdAt', 'updatedAt'].map((n) => entity.fields.get(n)!).filter((f) => !hidden.has(f.name));
  return [entity.fields.get('id')!, ...own, ...sys];
}

/** Which fields an export may name (the list's `fields` rules: columns the caller sees, no recycle-bin fields). */
export const exportable = (f: FieldModel | undefined, hidden: ReadonlySet<string>): f is FieldModel =>
  f !== undefined && f.column !== '' && !TRASH_ONLY_FIELDS.has(f.name) && !hidden.has(f.name);

/**
 * Header labels in `lang`. Two fields with the same label (a contact's 部门 and its
 * owning 部门) get their API name appended, so every header maps back to one field.
 */
export function headerLabels(fields: readonly FieldModel[], lang: Lang): string[] {
  const labels = fields.map((f) => labelOf(f.label, lang));
  const count = new Map<string, number>();
  for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
  return labels.map((l, i) => (count.get(l)! > 1 ? `${l} (${fields[i].name})` : l));
}

/** Spreadsheet column letters: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
