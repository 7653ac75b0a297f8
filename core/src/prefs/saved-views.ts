import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type Actor, type FieldError } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { nowDb } from '../data/codec';
import type { RecordStore } from '../services/records';

/** What a saved view keeps: the list query (API syntax) and the columns. */
export interface ViewQuery {
  filter?: Record<string, unknown>;
  sort?: string[];
  columns?: string[];
  q?: string;
}

export interface SavedView {
  id: number;
  entity: string;
  name: string;
  owner: number;
  shared: boolean;
  query: ViewQuery;
  version: number;
  createdAt: string;
  updatedAt: string;
  /** The viewer may change or delete it (its owner, or an administrator). */
  mine: boolean;
}

const fromRow = (r: Record<string, unknown>, actor: Actor): SavedView => ({
  id: Number(r.id),
  entity: String(r.entity),
  name: String(r.name),
  owner: Number(r.owner_id),
  shared: r.shared === true || r.shared === 1 || r.shared === '1',
  query: JSON.parse(String(r.query)) as ViewQuery,
  version: Number(r.version),
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
  mine: Number(r.owner_id) === actor.userId || actor.isAdmin === true,
});

/**
 * Saved list views (personal and shared). A view is only visible to users who may read its
 * entity; its query is checked against the entity's metadata when saved, and runs through
 * the permission layer like any list — a shared view never widens what someone sees.
 */
export class SavedViews {
  constructor(private readonly store: () => RecordStore) {}

  private get db(): Executor {
    return this.store().db;
  }

  private async requireRead(actor: Actor, entity: string): Promise<void> {
    const store = this.store();
    if (!store.meta.get(entity)) throw new ValidationError([{ field: 'entity', rule: 'unknown', message: `No entity "${entity}"` }]);
    if (!(await store.access.profile(actor)).can(entity, 'read')) throw new ForbiddenError(`You may not read ${entity} records`);
  }

  async list(actor: Actor, entity: string): Promise<SavedView[]> {
    await this.requireRead(actor, entity);
    const rows = await this.db.all('SELECT * FROM plinth_saved_views WHERE entity = ? AND (owner_id = ? OR shared = ?) ORDER BY name, id', [entity, actor.userId, 1]);
    return rows.map((r) => fromRow(r, actor));
  }

  async get(actor: Actor, id: number): Promise<SavedView> {
    const [row] = await this.db.all('SELECT * FROM plinth_saved_views WHERE id = ?', [id]);
    const view = row ? fromRow(row, actor) : null;
    if (!view || (!view.shared && view.owner !== actor.userId)) throw new NotFoundError(`No saved view ${id}`);
    await this.requireRead(actor, view.entity);
    return view;
  }

  async create(actor: Actor, body: unknown): Promise<SavedView> {
    const b = this.body(body, true);
    await this.requireRead(actor, b.entity!);
    await this.checkQuery(actor, b.entity!, b.query!);
    const now = nowDb();
    const res = await this.db.run('INSERT INTO plinth_saved_views (entity, name, owner_id, shared, query, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)', [
      b.entity, b.name, actor.userId, b.shared ? 1 : 0, JSON.stringify(b.query), now, now,
    ]);
    return this.get(actor, res.insertId);
  }

  async update(actor: Actor, id: number, body: unknown): Promise<SavedView> {
    const view = await this.get(actor, id);
    if (!view.mine) throw new ForbiddenError('Only the owner of a shared view (or an administrator) may change it');
    const b = this.body(body, false);
    if (b.version === undefined) throw new ValidationError([{ field: 'version', rule: 'required', message: 'Send the version you read' }]);
    if (b.query) await this.checkQuery(actor, view.entity, b.query);
    const res = await this.db.run('UPDATE plinth_saved_views SET name = ?, shared = ?, query = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?', [
      b.name ?? view.name, (b.shared ?? view.shared) ? 1 : 0, JSON.stringify(b.query ?? view.query), nowDb(), id, b.version,
    ]);
    if (res.affectedRows !== 1) throw new ConflictError('stale-version', 'The view was changed by someone else; reload it', [{ field: 'version', rule: 'stale', message: 'not the current version' }]);
    return this.get(actor, id);
  }

  async remove(actor: Actor, id: number): Promise<void> {
    const view = await this.get(actor, id);
    if (!view.mine) throw new ForbiddenError('Only the owner of a shared view (or an administrator) may delete it');
    await this.db.run('DELETE FROM plinth_saved_views WHERE id = ?', [id]);
  }

  /** A query that does not fit the entity (unknown field, wrong value) is refused when saved, not when used. */
  private async checkQuery(actor: Actor, entity: string, query: ViewQuery): Promise<void> {
    const service = this.store().service(entity, actor);
    try {
      await service.list({ filter: query.filter as never, sort: query.sort, limit: 1 });
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(err.errors.map((e) => ({ ...e, field: `query.${e.field}` })), 'The view\'s query is invalid');
      throw err;
    }
    const unknown = (query.columns ?? []).filter((c) => !service.entity.fields.has(c));
    if (unknown.length) throw new ValidationError(unknown.map((c) => ({ field: 'query.columns', rule: 'unknown', message: `No field "${c}"` })));
  }

  private body(body: unknown, creating: boolean): Partial<{ entity: string; name: string; shared: boolean; query: ViewQuery; version: number }> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'The body must be a JSON object' }]);
    const b = body as Record<string, unknown>;
    const errors: FieldError[] = [];
    for (const k of Object.keys(b)) if (!['entity', 'name', 'shared', 'query', 'version'].includes(k) || (k === 'entity' && !creating)) errors.push({ field: k, rule: 'unknown', message: `Unknown field ${k}` });
    if (creating && (typeof b.entity !== 'string' || !b.entity)) errors.push({ field: 'entity', rule: 'required', message: 'entity is required' });
    if ((creating || b.name !== undefined) && (typeof b.name !== 'string' || !b.name.trim() || b.name.length > 100)) errors.push({ field: 'name', rule: 'required', message: 'name is a text of 1 to 100 characters' });
    if (b.shared !== undefined && typeof b.shared !== 'boolean') errors.push({ field: 'shared', rule: 'type', message: 'shared is true or false' });
    if (b.version !== undefined && !Number.isInteger(b.version)) errors.push({ field: 'version', rule: 'type', message: 'version is an integer' });
    if (creating || b.query !== undefined) {
      const q = b.query as Record<string, unknown> | undefined;
      if (typeof q !== 'object' || q === null || Array.isArray(q)) errors.push({ field: 'query', rule: 'type', message: 'query is an object: { filter, sort, columns, q }' });
      else {
        for (const k of Object.keys(q)) if (!['filter', 'sort', 'columns', 'q'].includes(k)) errors.push({ field: `query.${k}`, rule: 'unknown', message: `Unknown query part ${k}` });
        if (q.filter !== undefined && (typeof q.filter !== 'object' || q.filter === null || Array.isArray(q.filter))) errors.push({ field: 'query.filter', rule: 'type', message: 'filter is an object' });
        for (const k of ['sort', 'columns'] as const) {
          if (q[k] !== undefined && (!Array.isArray(q[k]) || (q[k] as unknown[]).some((s) => typeof s !== 'string') || (q[k] as unknown[]).length > 50)) errors.push({ field: `query.${k}`, rule: 'type', message: `${k} is a list of field names` });
        }
        if (q.q !== undefined && (typeof q.q !== 'string' || q.q.length > 200)) errors.push({ field: 'query.q', rule: 'type', message: 'q is a text of at most 200 characters' });
      }
    }
    if (errors.length) throw new ValidationError(errors);
    return { ...(b as object), name: typeof b.name === 'string' ? b.name.trim() : undefined } as never;
  }
}
