import { ConflictError, NotFoundError, ValidationError, type AnyRecord, type DataContext, type EntityHooks } from '@plinth/sdk';
import type { DictionaryUsage } from './usage';
import { listAll } from './read';
import { storedValue } from './parameters';

/** A reference read with system rights inside the write; a missing one is the caller's error. */
async function recordOr400(data: DataContext, entity: string, id: number, field: string): Promise<AnyRecord> {
  try {
    return await data.records(entity).get(id);
  } catch (err) {
    if (err instanceof NotFoundError) throw new ValidationError([{ field, rule: 'reference', message: `${field}: no ${entity} with id ${id}` }]);
    throw err;
  }
}

const codeOf = async (data: DataContext, dictionaryId: number): Promise<string> => String((await data.records('dictionary').get(dictionaryId)).code);

/** A parent item must be in the same dictionary, and an item cannot end up under itself. */
async function checkParent(data: DataContext, item: { id?: number; dictionary: number; parent: number | null }): Promise<void> {
  if (item.parent === null) return;
  const seen = new Set<number>();
  let parent = await recordOr400(data, 'dictionaryItem', item.parent, 'parent');
  if (parent.dictionary !== item.dictionary) throw new ValidationError([{ field: 'parent', rule: 'dictionary', message: 'The parent item must belong to the same dictionary' }]);
  for (;;) {
    if (parent.id === item.id) throw new ValidationError([{ field: 'parent', rule: 'cycle', message: 'An item cannot be placed under itself or one of its sub-items' }]);
    if (parent.parent === null || seen.has(parent.id)) return;
    seen.add(parent.id);
    parent = await data.records('dictionaryItem').get(parent.parent as number);
  }
}

/**
 * Rules of dictionaries and items: codes that something uses cannot change or go away,
 * item parents stay within their dictionary without cycles, and an item with sub-items
 * cannot be deleted.
 */
export function dictionaryHooks(usage: DictionaryUsage): { dictionary: EntityHooks; dictionaryItem: EntityHooks } {
  return {
    dictionary: {
      async beforeUpdate({ before, patch }, ctx) {
        if (patch.code !== undefined && patch.code !== before.code) await usage.refuseIfUsed({ dictionary: String(before.code) }, ctx, 'renamed');
      },
      async beforeDelete(record, ctx) {
        await usage.refuseIfUsed({ dictionary: String(record.code) }, ctx, 'deleted');
      },
    },
    dictionaryItem: {
      async beforeCreate(data, ctx) {
        await checkParent(ctx, { dictionary: data.dictionary as number, parent: (data.parent as number | null | undefined) ?? null });
      },
      async beforeUpdate({ before, patch }, ctx) {
        const dictionary = (patch.dictionary ?? before.dictionary) as number;
        const movesOut = dictionary !== before.dictionary;
        if (movesOut || (patch.code !== undefined && patch.code !== before.code)) {
          await usage.refuseIfUsed({ dictionary: await codeOf(ctx, before.dictionary as number), item: String(before.code) }, ctx, movesOut ? 'moved' : 'renamed');
        }
        if (movesOut && (await ctx.records('dictionaryItem').count({ filter: { parent: before.id } }))) {
          throw new ValidationError([{ field: 'dictionary', rule: 'has-children', message: 'An item with sub-items cannot move to another dictionary' }]);
        }
        if ('parent' in patch || movesOut) await checkParent(ctx, { id: before.id, dictionary, parent: ('parent' in patch ? patch.parent : before.parent) as number | null });
      },
      async beforeDelete(record, ctx) {
        const children = await ctx.records('dictionaryItem').count({ filter: { parent: record.id } });
        if (children) throw new ConflictError('in-use', `Item "${String(record.code)}" still has ${children} sub-item(s); move or remove them first`);
        await usage.refuseIfUsed({ dictionary: await codeOf(ctx, record.dictionary as number), item: String(record.code) }, ctx, 'deleted');
      },
    },
  };
}

/** The platform's own uses of dictionaries: enum parameters and category attributes. */
export function registerBuiltInUses(usage: DictionaryUsage): void {
  usage.add(async (ref, data) => {
    const params = await listAll(data.records('parameter'), { filter: { type: 'enum', dictionary: ref.dictionary } });
    const using = ref.item === undefined ? params : params.filter((p) => storedValue(p) === ref.item);
    return using.map((p) => `parameter ${String(p.code)}`);
  });
  usage.add(async (ref, data) => {
    if (ref.item !== undefined) return []; // attribute values live in other modules' records
    const attributes = await listAll(data.records('categoryAttribute'), { filter: { dictionary: ref.dictionary }, expand: ['category'] });
    return attributes.map((a) => `attribute ${String(a.name)} of category ${String((a.category as AnyRecord | null)?.code ?? a.category)}`);
  });
}
