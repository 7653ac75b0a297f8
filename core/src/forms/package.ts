import { ConflictError, type FieldError } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { MetaRuntime } from '../meta/runtime';
import { differences } from '../packages/format';
import type { ItemChange, PackageSection } from '../packages/packages';
import { analyzeForm } from './definition';
import { FORMS_PLUGIN, formEntityNames, formToEntities } from './entities';
import { FormRepository } from './repository';
import { storageChanges } from './service';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Form definitions in configuration packages, keyed by code: the definition, whether it is
 * enabled and the template it came from. A package creates forms that are new here and
 * saves a new version of those that differ; data forms bring their entities into the
 * import's metadata (tables are created with the rest of the import). Deleted forms' codes
 * stay taken; kinds and stored field types cannot change, as through the API.
 */
export function formSection(runtime: MetaRuntime, db: Executor, dictionaries: (code: string) => readonly string[] | undefined): PackageSection {
  const repo = new FormRepository(db);
  return {
    name: 'forms',
    // choice fields name dictionaries; reference fields name entities (custom ones too)
    after: ['dictionaries', 'dictionaryItems', 'customFields'],
    async export() {
      return (await repo.list()).map((f) => ({ key: f.code, data: { definition: f.definition, enabled: f.enabled, template: f.template } }));
    },
    async plan(items, draft) {
      const errors: FieldError[] = [];
      const changes: ItemChange[] = [];
      const writes: ((tx: Executor) => Promise<void>)[] = [];
      const incomingDictionaries = draft.incoming.get('dictionaries') ?? new Set<string>();
      const incomingForms = new Map(items.filter((i) => isObject(i.data.definition) && (i.data.definition as { kind?: unknown }).kind === 'data').map((i) => [formEntityNames(i.key).header, i.key]));
      const entityExists = (name: string) => runtime.live.get(name) !== undefined || draft.input.entities.some((e) => e.def.name === name) || incomingForms.has(name) || [...incomingForms.keys()].some((h) => `${h}Detail` === name);
      for (const [i, item] of items.entries()) {
        const at = `sections.forms[${i}]`;
        const { definition, enabled, template } = item.data as { definition?: unknown; enabled?: unknown; template?: unknown };
        const { model, errors: invalid } = analyzeForm(definition, { entityExists, dictionaryExists: (code) => dictionaries(code) !== undefined || incomingDictionaries.has(code) });
        if (!model) {
          errors.push(...invalid.map((e) => ({ ...e, field: `${at}.definition.${e.field}` })));
          continue;
        }
        const def = model.def;
        if (def.code !== item.key) {
          errors.push({ field: `${at}.definition.code`, rule: 'key', message: `The definition's code "${def.code}" is not the item's key "${item.key}"` });
          continue;
        }
        if (enabled !== undefined && typeof enabled !== 'boolean') errors.push({ field: `${at}.enabled`, rule: 'type', message: 'enabled is true or false' });
        const current = await repo.get(item.key);
        if (current?.deletedAt) {
          errors.push({ field: `${at}.key`, rule: 'unique', message: `The code "${item.key}" belonged to a deleted form here; codes are never reused` });
          continue;
        }
        if (current && current.kind !== def.kind) {
          errors.push({ field: `${at}.definition.kind`, rule: 'immutable', message: `"${item.key}" is a ${current.kind} form here` });
          continue;
        }
        if (current && def.kind === 'data') {
          const stored = storageChanges(current.definition, def);
          if (stored.length) {
            errors.push(...stored.map((e) => ({ ...e, field: `${at}.definition.${e.field}` })));
            continue;
          }
        }
        const after = { definition: def, enabled: enabled ?? current?.enabled ?? true };
        const diff = current ? differences({ definition: current.definition, enabled: current.enabled }, after) : undefined;
        changes.push({ section: 'forms', key: item.key, action: !current ? 'create' : diff ? 'update' : 'unchanged', ...(diff ? { changes: diff } : {}) });
        if (current && !diff) continue;
        if (def.kind === 'data') {
          const names = new Set(Object.values(formEntityNames(def.code)));
          draft.input = {
            ...draft.input,
            entities: [...draft.input.entities.filter((e) => !(e.plugin === FORMS_PLUGIN && names.has(e.def.name))), ...formToEntities(def).map((d) => ({ plugin: FORMS_PLUGIN, def: d }))],
          };
        }
        writes.push(async (tx) => {
          if (!current) await repo.insert(tx, def, null, typeof template === 'string' ? template : null);
          else if (!(await repo.update(tx, def.code, current.version, def, null))) throw new ConflictError('stale-version', `The form "${def.code}" changed during the import; nothing was changed`);
          if (after.enabled !== (current?.enabled ?? true)) await repo.setEnabled(tx, def.code, after.enabled as boolean, null);
        });
      }
      return { changes, errors, apply: async (tx) => { for (const w of writes) await w(tx); } };
    },
  };
}
