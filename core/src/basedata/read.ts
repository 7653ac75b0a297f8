import { ValidationError, type AnyRecord, type DataContext, type ListQuery, type RecordService } from '@plinth/sdk';

/** Every record matching `query`, page by page (keyset paging, 500 at a time). */
export async function listAll(records: RecordService, query: Omit<ListQuery, 'limit' | 'offset' | 'cursor'> = {}): Promise<AnyRecord[]> {
  const out: AnyRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await records.list({ sort: ['id'], ...query, limit: 500, ...(cursor ? { cursor } : {}) });
    out.push(...page.data);
    cursor = page.meta.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** The one live record with this code, or null. */
export async function byCode(data: DataContext, entity: string, code: string): Promise<AnyRecord | null> {
  return (await data.records(entity).list({ filter: { code }, limit: 1 })).data[0] ?? null;
}

/**
 * The enabled item codes of a dictionary as `data` sees them (inside a write's
 * transaction, where the cache does not yet hold uncommitted items); undefined when
 * there is no such dictionary.
 */
export async function dictionaryValues(data: DataContext, code: string): Promise<string[] | undefined> {
  const dictionary = await byCode(data, 'dictionary', code);
  if (!dictionary) return undefined;
  const items = await listAll(data.records('dictionaryItem'), { filter: { dictionary: dictionary.id, enabled: true }, sort: ['sortOrder', 'id'], fields: ['code'] });
  return items.map((i) => String(i.code));
}

/**
 * Enum choices given as inline `options` or by `dictionary`: exactly one of them for an
 * enum, neither for other types; the dictionary must exist. Returns the allowed codes.
 */
export async function checkChoices(data: DataContext, def: Record<string, unknown>, duplicate: string | null): Promise<string[]> {
  const hasOptions = def.options !== null && def.options !== undefined;
  const hasDictionary = def.dictionary !== null && def.dictionary !== undefined;
  if (def.type !== 'enum') {
    if (hasOptions || hasDictionary) {
      throw new ValidationError([{ field: hasOptions ? 'options' : 'dictionary', rule: 'unexpected', message: `Only an enum has ${hasOptions ? 'options' : 'a dictionary'}; this is a ${String(def.type)}` }]);
    }
    return [];
  }
  if (hasOptions === hasDictionary) {
    throw new ValidationError([{ field: hasOptions ? 'dictionary' : 'options', rule: hasOptions ? 'conflict' : 'required', message: 'An enum takes its choices from options or from a dictionary: exactly one of them' }]);
  }
  if (duplicate) throw new ValidationError([{ field: 'options', rule: 'unique', message: duplicate }]);
  if (hasOptions) return (def.options as { value: string }[]).map((o) => o.value);
  const values = await dictionaryValues(data, String(def.dictionary));
  if (!values) throw new ValidationError([{ field: 'dictionary', rule: 'reference', message: `No dictionary with code ${String(def.dictionary)}` }]);
  return values;
}
