import { PlinthError, type Actor } from '@plinth/sdk';
import type { EntityModel } from '../meta/model';
import type { RecordStore } from '../services/records';
import { MAX_LIMIT } from '../query/list';

const CACHE_LIMIT = 20_000;

/** How an export names a referenced record whose title another record shares: `张伟 (#12)` (import reads the id). */
export const withId = (title: string, id: number): string => `${title} (#${id})`;
/** A reference cell naming the record by id: `#12`, or `张伟 (#12)`. */
export const ID_SUFFIX = /^(?:.*?\s*[(（]\s*)?#(\d{1,10})\s*[)）]?$/;

/**
 * Titles of referenced records for an export, read through the service as the caller:
 * a record they cannot read keeps its id. A title two records share gets the id added,
 * so that an import of the file finds the same record again. Recently seen titles are
 * kept (owners and departments repeat on every page), up to a bound.
 */
export class TitleLookup {
  private readonly cache = new Map<string, Map<number, string>>();
  /** Per target: titles already counted, and whether more than one record has them. */
  private readonly shared = new Map<string, Map<string, boolean>>();
  private readonly blocked = new Set<string>();

  constructor(
    private readonly store: RecordStore,
    private readonly actor: Actor,
  ) {}

  async titles(target: EntityModel, ids: Iterable<number>): Promise<ReadonlyMap<number, string>> {
    let known = this.cache.get(target.name);
    if (!known) this.cache.set(target.name, (known = new Map()));
    if (target.titleField === 'id' || this.blocked.has(target.name)) return known;
    const wanted = [...new Set(ids)];
    let missing = wanted.filter((id) => !known.has(id));
    if (!missing.length) return known;
    if (known.size + missing.length > CACHE_LIMIT) {
      known.clear();
      this.shared.get(target.name)?.clear();
      missing = wanted;
    }
    const svc = this.store.service(target.name, this.actor);
    const field = target.titleField;
    try {
      const found = new Map<number, string>();
      for (let i = 0; i < missing.length; i += MAX_LIMIT) {
        const page = await svc.list({ filter: { id: { in: missing.slice(i, i + MAX_LIMIT) } }, fields: [field], limit: MAX_LIMIT });
        for (const rec of page.data) {
          const title = rec[field];
          if (title !== null && title !== undefined && title !== '') found.set(rec.id, String(title));
        }
      }
      const shared = await this.sharedTitles(target, [...new Set(found.values())]);
      for (const [id, title] of found) known.set(id, shared.get(title) ? withId(title, id) : title);
    } catch (err) {
      // Not allowed to read the target (or its title field): ids it is.
      if (!(err instanceof PlinthError) || err.status >= 500) throw err;
      this.blocked.add(target.name);
    }
    return known;
  }

  /** Whether each title belongs to more than one record the caller can read. */
  private async sharedTitles(target: EntityModel, titles: string[]): Promise<Map<string, boolean>> {
    let counted = this.shared.get(target.name);
    if (!counted) this.shared.set(target.name, (counted = new Map()));
    const fresh = titles.filter((t) => !counted.has(t));
    const svc = this.store.service(target.name, this.actor);
    for (let i = 0; i < fresh.length; i += MAX_LIMIT) {
      const chunk = fresh.slice(i, i + MAX_LIMIT);
      const seen = new Map<string, number>();
      const query = { filter: { [target.titleField]: { in: chunk } }, fields: [target.titleField], limit: MAX_LIMIT, sort: ['id'] };
      let page = await svc.list(query);
      for (;;) {
        for (const rec of page.data) {
          const t = String(rec[target.titleField]);
          seen.set(t, (seen.get(t) ?? 0) + 1);
        }
        if (!page.meta.nextCursor) break;
        page = await svc.list({ ...query, cursor: page.meta.nextCursor });
      }
      for (const t of chunk) counted.set(t, (seen.get(t) ?? 0) > 1);
    }
    return counted;
  }
}
