import type { EntityModel } from '../meta/model';

/** The entity's `file` fields (single: a file id; `multiple`: an array of ids). */
export function fileFields(entity: EntityModel): string[] {
  return [...entity.fields.values()].filter((f) => (f.def as { type: string }).type === 'file').map((f) => f.name);
}

/** Whether one of the record's file fields, as the caller read it, holds `fileId`. */
export function fileFieldHolds(entity: EntityModel, record: Record<string, unknown>, fileId: number): boolean {
  return fileFields(entity).some((name) => {
    const value = record[name];
    return value === fileId || (Array.isArray(value) && value.includes(fileId));
  });
}
