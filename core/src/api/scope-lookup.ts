import type { ScopeLookup } from '../auth/scopes';
import type { MetaRegistry } from '../meta/registry';
import { formEntityNames } from '../forms/entities';

/** What the token gate (auth/scopes.ts) needs to know of the live metadata. */
export function scopeLookup(meta: MetaRegistry): ScopeLookup {
  return {
    entityOf: (plural) => meta.byPluralName(plural)?.name ?? null,
    formEntityOf: (code) => {
      const { header } = formEntityNames(code);
      return meta.get(header) ? header : null;
    },
    expansionTargets: (entity, names) => {
      const model = meta.get(entity);
      if (!model) return [];
      return names.flatMap((name) => {
        const def = model.fields.get(name)?.def;
        return def && (def.type === 'reference' || def.type === 'collection') ? [def.entity] : [];
      });
    },
  };
}
