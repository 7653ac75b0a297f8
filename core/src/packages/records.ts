import type { Actor, AnyRecord, FieldError } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { RecordStore } from '../services/records';
import type { EntityModel, FieldModel } from '../meta/model';
import type { ItemChange, PackageSection } from './packages';
import { differences } from './format';

/** Admin-made records of one entity, carried in packages under a natural key. */
export interface RecordSectionSpec {
  name: string;
  entity: string;
  /** Fields that identify a record across instances; references among them use the target's key. */
  key: readonly string[];
  after?: readonly string[];
}

const SEP = '/';

/**
 * A package section over an entity's records (dictionaries, categories, parameters …).
 * References travel as the referenced record's natural key, so ids never cross instances;
 * a record referencing one created by the same import (a parent item) resolves at apply.
 * Encrypted fields are never exported.
 */
export function recordSection(store: () => RecordStore, actor: Actor, spec: RecordSectionSpec, specs: () => ReadonlyMap<string, RecordSectionSpec>): PackageSection {
  const model = (): EntityModel => store().entity(spec.entity);
  const carried = (e: EntityModel): FieldModel[] => e.columns.filter((f) => f.writable && !f.system && !f.encrypted);
  const sectionOf = (entity: string) => [...specs().values()].find((s) => s.entity === entity);

  /** The natural key of record `id` of `entity`, read through `db`. */
  const keyOf = async (db: Executor, entity: string, id: number, seen = 0): Promise<string | null> => {
    const s = sectionOf(entity);
    if (!s || seen > 8) return null;
    const rec = await store().service(entity, actor, db).get(id).catch(() => null);
    if (!rec) return null;
    const parts: string[] = [];
    for (const k of s.key) {
      const f = store().entity(entity).fields.get(k)!;
      const v = rec[k];
      parts.push(f.type === 'reference' && typeof v === 'number' ? ((await keyOf(db, (f.def as { entity: string }).entity, v, seen + 1)) ?? '') : String(v ?? ''));
    }
    return parts.join(SEP);
  };

  /** The id of the record of `entity` with natural key `key`, or null. */
  const idOf = async (db: Executor, entity: string, key: string): Promise<number | null> => {
    const s = sectionOf(entity);
    if (!s) return null;
    const e = store().entity(entity);
    const parts = key.split(SEP);
    const filter: Record<string, unknown> = {};
    for (const [i, k] of s.key.entries()) {
      const f = e.fields.get(k)!;
      if (f.type === 'reference') {
        const target = (f.def as { entity: string }).entity;
        // A key part that is itself a composite key takes the rest of the parts it needs.
        const width = sectionOf(target)?.key.length ?? 1;
        const id = await idOf(db, target, parts.splice(i, width, '').join(SEP));
        if (id === null) return null;
        filter[k] = id;
      } else filter[k] = parts[i];
    }
    const found = await store().service(entity, actor, db).list({ filter: filter as never, fields: ['id'], limit: 1 });
    return found.data.length ? (found.data[0].id as number) : null;
  };

  const exportable = async (db: Executor, rec: AnyRecord): Promise<Record<string, unknown>> => {
    const out: Record<string, unknown> = {};
    for (const f of carried(model())) {
      const v = rec[f.name];
      out[f.name] = f.type === 'reference' && typeof v === 'number' ? await keyOf(db, (f.def as { entity: string }).entity, v) : v;
    }
    return out;
  };

  return {
    name: spec.name,
    after: spec.after,
    async export() {
      const db = store().db;
      const items = [];
      let cursor: string | undefined;
      do {
        const page = await store().service(spec.entity, actor).list({ sort: ['id'], limit: 500, cursor });
        for (const rec of page.data) items.push({ key: (await keyOf(db, spec.entity, rec.id as number))!, data: await exportable(db, rec) });
        cursor = page.meta.nextCursor ?? undefined;
      } while (cursor);
      return items;
    },
    async plan(items, draft) {
      const db = store().db;
      const e = model();
      const fields = new Map(carried(e).map((f) => [f.name, f]));
      const errors: FieldError[] = [];
      const changes: ItemChange[] = [];
      const planned: { key: string; data: Record<string, unknown>; exists: boolean }[] = [];
      for (const [i, item] of items.entries()) {
        const at = `sections.${spec.name}[${i}]`;
        const unknown = Object.keys(item.data).filter((k) => !fields.has(k));
        if (unknown.length) {
          errors.push(...unknown.map((k) => ({ field: `${at}.data.${k}`, rule: 'unknown', message: `${spec.entity} has no field ${k} a package can set` })));
          continue;
        }
        for (const f of fields.values()) {
          const v = item.data[f.name];
          if (f.type !== 'reference' || v === null || v === undefined) continue;
          const target = (f.def as { entity: string }).entity;
          const inPackage = draft.incoming.get(sectionOf(target)?.name ?? '')?.has(String(v)) === true;
          if (typeof v !== 'string' || (!inPackage && (await idOf(db, target, v)) === null)) {
            errors.push({ field: `${at}.data.${f.name}`, rule: 'reference', message: `No ${target} "${String(v)}" here or in the package` });
          }
        }
        const id = await idOf(db, spec.entity, item.key);
        const current = id === null ? undefined : await exportable(db, await store().service(spec.entity, actor).get(id));
        const diff = current ? differences(current, { ...current, ...item.data }) : undefined;
        changes.push({ section: spec.name, key: item.key, action: !current ? 'create' : diff ? 'update' : 'unchanged', ...(diff ? { changes: diff } : {}) });
        if (!current || diff) planned.push({ key: item.key, data: item.data, exists: current !== undefined });
      }
      return {
        changes,
        errors,
        apply: async (tx) => {
          const svc = store().service(spec.entity, actor, tx);
          for (const p of planned) {
            const data: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(p.data)) {
              const f = fields.get(k)!;
              data[k] = f.type === 'reference' && typeof v === 'string' ? await idOf(tx, (f.def as { entity: string }).entity, v) : v;
            }
            const id = p.exists ? await idOf(tx, spec.entity, p.key) : null;
            if (id === null) await svc.create(data);
            else await svc.update(id, data, { version: ((await svc.get(id, { fields: ['version'] })).version as number) });
          }
        },
      };
    },
  };
}

/** The platform's own admin-made records that packages carry. */
export const PLATFORM_RECORD_SECTIONS: readonly RecordSectionSpec[] = [
  { name: 'dictionaries', entity: 'dictionary', key: ['code'] },
  { name: 'dictionaryItems', entity: 'dictionaryItem', key: ['dictionary', 'code'], after: ['dictionaries'] },
  { name: 'categories', entity: 'category', key: ['kind', 'code'] },
  { name: 'categoryAttributes', entity: 'categoryAttribute', key: ['category', 'name'], after: ['categories', 'dictionaries'] },
  { name: 'parameters', entity: 'parameter', key: ['code'] },
  // related tabs name custom reference fields: after them
  { name: 'relatedTabs', entity: 'relatedTab', key: ['entity', 'key'], after: ['customFields'] },
];
