import type { CustomFieldInfo } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { customizations } from './store';

/** The entity a custom field holds ids of, if any. */
function referencedEntity(f: CustomFieldInfo): string | null {
  if (f.type === 'reference') return f.target ?? null;
  if (f.type === 'user') return 'user';
  if (f.type === 'department') return 'department';
  return null;
}

/**
 * Custom fields (not removed) of other entities that refer to any of `entities`: a plugin
 * whose entities they name cannot be disabled or uninstalled. Fields on the entities
 * themselves go with them and do not count.
 */
export function customFieldEntityUses(db: Executor): (entities: ReadonlySet<string>) => Promise<string[]> {
  return async (entities) =>
    (await customizations.fields(db))
      .filter((f) => f.status === 'active' && !entities.has(f.entity) && entities.has(referencedEntity(f) ?? ''))
      .map((f) => `custom field ${f.entity}.${f.name} (→ ${referencedEntity(f)})`);
}
