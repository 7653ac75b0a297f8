import { PlinthError, type Actor } from '@plinth/sdk';
import type { EntityModel, FieldModel } from '../meta/model';
import type { RecordStore } from '../services/records';
import { encode } from '../data/codec';
import { MAX_LIMIT } from '../query/list';
import { normalize, type CellProblem } from './cells-in';
import { uniqueField } from './mapping';

export type Resolved = { id: number } | { error: CellProblem };

const CACHE_LIMIT = 50_000;
const CHUNK = 200;

/**
 * Finds referenced records for an import, as the caller (a record they cannot read does
 * not exist for them): by id, or by text — a unique field of the target (customer
 * number, username) or else its title, which must then match exactly one record.
 */
export class ReferenceResolver {
  private readonly cache = new Map<string, Map<string, Resolved>>();

  constructor(
    private readonly store: RecordStore,
    private readonly actor: Actor,
  ) {}

  private known(target: EntityModel): Map<string, Resolved> {
    let m = this.cache.get(target.name);
    if (!m) this.cache.set(target.name, (m = new Map()));
    if (m.size > CACHE_LIMIT) m.clear();
    return m;
  }

  /** Which of `ids` are records of `target` the caller can read. */
  async resolveIds(target: EntityModel, ids: readonly number[]): Promise<Map<number, Resolved>> {
    const known = this.known(target);
    const out = new Map<number, Resolved>();
    const missing = [...new Set(ids)].filter((id) => {
      const hit = known.get(`#${id}`);
      if (hit) out.set(id, hit);
      return !hit;
    });
    const found = new Set<number>();
    try {
      const svc = this.store.service(target.name, this.actor);
      for (let i = 0; i < missing.length; i += MAX_LIMIT) {
        const page = await svc.list({ filter: { id: { in: missing.slice(i, i + MAX_LIMIT) } }, fields: ['id'], limit: MAX_LIMIT });
        for (const r of page.data) found.add(r.id);
      }
    } catch (err) {
      if (!(err instanceof PlinthError) || err.status >= 500) throw err;
    }
    for (const id of missing) {
      const r: Resolved = found.has(id) ? { id } : { error: { rule: 'reference', message: `no ${target.name} with id ${id}` } };
      known.set(`#${id}`, r);
      out.set(id, r);
    }
    return out;
  }

  /** Records of `target` named by `texts` (unique field values or titles). */
  async resolveTexts(target: EntityModel, texts: readonly string[]): Promise<Map<string, Resolved>> {
    const known = this.known(target);
    const out = new Map<string, Resolved>();
    const missing = [...new Set(texts)].filter((t) => {
      const hit = known.get(t);
      if (hit) out.set(t, hit);
      return !hit;
    });
    if (!missing.length) return out;
    const hidden = (await this.store.access.profile(this.actor)).hiddenFields(target.name);
    const text = (f: FieldModel | undefined): f is FieldModel => f !== undefined && (f.type === 'string' || f.type === 'text') && !hidden.has(f.name);
    const title = target.fields.get(target.titleField);
    const uniques = [...target.fields.values()].filter((f) => text(f) && !f.encrypted && uniqueField(target, f));
    const searched = [...new Set([...uniques, ...(text(title) && !title.encrypted ? [title] : [])])];
    const rows: Record<string, unknown>[] = [];
    let refused = searched.length === 0;
    if (!refused) {
      try {
        const svc = this.store.service(target.name, this.actor);
        for (let i = 0; i < missing.length; i += CHUNK) {
          const chunk = missing.slice(i, i + CHUNK);
          const query = { filter: { or: searched.map((f) => ({ [f.name]: { in: chunk } })) }, fields: searched.map((f) => f.name), limit: MAX_LIMIT };
          let page = await svc.list(query);
          rows.push(...page.data);
          while (page.meta.nextCursor) {
            page = await svc.list({ ...query, cursor: page.meta.nextCursor });
            rows.push(...page.data);
          }
        }
      } catch (err) {
        if (!(err instanceof PlinthError) || err.status >= 500) throw err;
        refused = true;
      }
    }
    for (const t of missing) {
      const wanted = normalize(t);
      const same = (rec: Record<string, unknown>, f: FieldModel) => typeof rec[f.name] === 'string' && normalize(rec[f.name] as string) === wanted;
      let r: Resolved;
      if (refused) {
        r = { error: { rule: 'reference', message: `${target.name} records cannot be found by text here; give the id` } };
      } else {
        const byUnique = new Set(rows.filter((rec) => uniques.some((f) => same(rec, f))).map((rec) => rec.id as number));
        const byTitle = new Set(text(title) ? rows.filter((rec) => same(rec, title)).map((rec) => rec.id as number) : []);
        const ids = byUnique.size ? byUnique : byTitle;
        r =
          ids.size === 1
            ? { id: [...ids][0] }
            : ids.size === 0
              ? { error: { rule: 'reference', message: `no ${target.name} "${t}"` } }
              : { error: { rule: 'ambiguous', message: `${ids.size} ${target.plural} are called "${t}"; give the id${uniques.length ? ` or the ${uniques.map((f) => f.name).join(' or ')}` : ''}` } };
      }
      known.set(t, r);
      out.set(t, r);
    }
    return out;
  }
}

/** A value as the database compares it: MySQL/MariaDB collations ignore case and trailing spaces. */
export const comparable = (kind: 'sqlite' | 'mysql', v: unknown): string => (kind === 'mysql' && typeof v === 'string' ? v.toLowerCase().trimEnd() : String(v));

/**
 * Records (live or in the recycle bin, visible to the caller or not: a unique value is
 * taken either way) holding one of `values` in `field`.
 */
export async function holders(store: RecordStore, entity: EntityModel, field: FieldModel, values: readonly unknown[]): Promise<Map<string, { id: number; deleted: boolean }>> {
  const db = store.db;
  const q = db.dialect.quote;
  const out = new Map<string, { id: number; deleted: boolean }>();
  const distinct = [...new Set(values.filter((v) => v !== null && v !== undefined))];
  const blind = field.encrypted ? store.keyring : null;
  if (field.encrypted && !blind) return out;
  const column = field.encrypted ? field.indexColumn : field.column;
  for (let i = 0; i < distinct.length; i += 500) {
    const chunk = distinct.slice(i, i + 500);
    const params = chunk.map((v) => (blind ? blind.blindIndex(String(v)) : encode(field, v)));
    const rows = await db.all<{ id: number; v: unknown; d: unknown }>(
      `SELECT t.${q('id')} AS id, t.${q(column)} AS v, t.${q('deleted_at')} AS d FROM ${q(entity.table)} t WHERE t.${q(column)} IN (${params.map(() => '?').join(', ')})`,
      params,
    );
    const byStored = new Map(rows.map((r) => [comparable(db.dialect.kind, r.v), { id: Number(r.id), deleted: r.d !== null }]));
    chunk.forEach((v, k) => {
      const hit = byStored.get(comparable(db.dialect.kind, params[k]));
      if (hit) out.set(comparable(db.dialect.kind, v), hit);
    });
  }
  return out;
}
