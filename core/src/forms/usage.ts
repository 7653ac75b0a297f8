import type { FormDefinition, FormValueField } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { DictionaryRef } from '../basedata/usage';
import { FormRepository } from './repository';

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
