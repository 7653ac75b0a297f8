import type { DictionaryUseCheck } from '../basedata';
import type { MetaRegistry } from '../meta/registry';

/**
 * Enum fields backed by a dictionary use it; records holding an item's code use that item.
 * Registered with the dictionary usage so that deleting or renaming either is refused
 * while they do ("customer.hobbyKind", "customer.hobbyKind (12 records)").
 */
export function fieldDictionaryUses(meta: MetaRegistry): DictionaryUseCheck {
  return async (ref, data) => {
    const out: string[] = [];
    for (const entity of meta.all()) {
      for (const f of entity.fields.values()) {
        if (f.def.type !== 'enum' || f.def.dictionary !== ref.dictionary) continue;
        if (ref.item === undefined) {
          out.push(`${entity.name}.${f.name}`);
          continue;
        }
        const n = await data.records(entity.name).count({ filter: { [f.name]: ref.item } as never });
        if (n > 0) out.push(`${entity.name}.${f.name} (${n} records)`);
      }
    }
    return out;
  };
}
