import type { Actor, FieldError } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { EntityModel } from '../meta/model';
import type { FileStore } from './store';

const idsOf = (value: unknown): number[] => (typeof value === 'number' ? [value] : Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : []);

/**
 * Which file ids written into file fields are not the writer's to attach: a user may put
 * only files they uploaded, or that the record already holds (in any of its file fields);
 * administrators and the system any stored file. Without this, anyone could reach another
 * user's file by writing its id into a record they can read.
 */
export async function attachmentErrors(
  files: FileStore, db: Executor, entity: EntityModel, actor: Actor, trusted: boolean,
  bodies: readonly Record<string, unknown>[], at: (i: number) => string, before?: Record<string, unknown>,
): Promise<FieldError[]> {
  const fields = entity.writable.filter((f) => f.type === 'file');
  if (!fields.length) return [];
  const held = new Set(before ? entity.columns.filter((f) => f.type === 'file').flatMap((f) => idsOf(before[f.name])) : []);
  const wanted = new Set<number>();
  for (const b of bodies) for (const f of fields) for (const id of idsOf(b[f.name])) if (!held.has(id)) wanted.add(id);
  if (!wanted.size) return [];
  const anyFile = trusted || actor.isAdmin || actor.userId === null;
  const ok = anyFile ? await files.existing([...wanted], db) : await files.uploadedBy([...wanted], actor.userId!, db);
  const errors: FieldError[] = [];
  bodies.forEach((b, i) => {
    for (const f of fields) {
      for (const id of idsOf(b[f.name])) {
        if (held.has(id) || ok.has(id)) continue;
        const prefix = at(i);
        errors.push({ field: prefix ? `${prefix}.${f.name}` : f.name, rule: 'file', message: anyFile ? `${f.name}: no file ${id}` : `${f.name}: no file ${id} uploaded by you` });
      }
    }
  });
  return errors;
}
