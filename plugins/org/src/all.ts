import type { AnyRecord, ListQuery, RecordService } from '@plinth/sdk';

/** Every record matching `query`, page by page (cursor paging, 500 at a time). */
export async function listAll(records: RecordService, query: Omit<ListQuery, 'limit' | 'offset' | 'cursor'> = {}): Promise<AnyRecord[]> {
  const out: AnyRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await records.list({ ...query, limit: 500, sort: ['id'], ...(cursor ? { cursor } : {}) });
    out.push(...page.data);
    cursor = page.meta.nextCursor ?? undefined;
  } while (cursor);
  return out;
}
