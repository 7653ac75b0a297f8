import type { FormDefinition, FormValueField } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { DictionaryRef } from '../basedata/usage';
import { FormRepository } from './repository';

/** Every value field with its path (`lines.item` for a detail column). */
function choiceFields(def: FormDefinition): { path: string; field: FormValueField }[] {
  return def.fields.flatMap((f) => (f.type === 'detail' ? f.fields.map((c) => ({ path: `${f.name}.${c.name}`, field: c })) : [{ path: f.name, field: f }]));
}

/**
 * Forms whose choice fields take their options from a dictionary: such a dictionary cannot
 * be deleted or renamed while a form (not deleted) uses it. (Values held by data-form records
 * are found by the field layer, which sees their entities like any other.)
 */
export function formDictionaryUses(db: Executor): (ref: DictionaryRef) => Promise<string[]> {
  return async (ref) => {
    if (ref.item !== undefined) return [];
    const forms = await new FormRepository(db).list(db);
    return forms.flatMap((form) =>
      choiceFields(form.definition)
        .filter(({ field }) => field.type === 'enum' && field.dictionary === ref.dictionary)
        .map(({ path }) => `form ${form.code}.${path}`),
    );
  };
}

/** The entity a form field holds ids of, if any. */
function referencedEntity(field: FormValueField): string | null {
  if (field.type === 'reference') return field.entity;
  if (field.type === 'user') return 'user';
  if (field.type === 'department') return 'department';
  return null;
}

/**
 * Forms (not deleted; data and workflow forms alike) with fields referring to any of
 * `entities`: a plugin whose entities they name cannot be disabled or uninstalled.
 */
export function formEntityUses(db: Executor): (entities: ReadonlySet<string>) => Promise<string[]> {
  return async (entities) => {
    const forms = await new FormRepository(db).list(db);
    return forms.flatMap((form) => {
      const fields = choiceFields(form.definition).filter(({ field }) => entities.has(referencedEntity(field) ?? ''));
      return fields.length ? [`${form.kind} form "${form.code}" (${fields.map(({ path, field }) => `${path} → ${referencedEntity(field)}`).join(', ')})`] : [];
    });
  };
}
