import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type Actor,
  type AnyRecord,
  type FieldError,
  type ListQuery,
  type ListResult,
  type Notifier,
  type RecordService,
} from '@plinth/sdk';
import type Ajv from 'ajv';
import type { Executor, Row } from '../data/database';
import type { EntityModel, FieldModel } from '../meta/model';
import type { MetaRegistry } from '../meta/registry';
import { EntityRepository, RowInsertError, type RecordData } from '../data/repository';
import { JsonText } from '../data/rendered';
import { nowDb } from '../data/codec';
import { uniqueIndexName } from '../data/schema';
import { ListPlanner, QueryError, type ListPlan } from '../query/list';
import { join, type Sql } from '../query/filter';
import { AccessLoader } from '../access/loader';
import { AccessProfile } from '../access/profile';
import { EntityValidator, createAjv, type DictionaryLookup } from './validation';
import { AuditLog, MASK } from '../audit/log';
import type { Keyring } from '../crypto/keyring';
import { HookRunner, type PluginHooks } from './hooks';
import { EventBus } from '../jobs/events';
import type { FileStore } from '../files/store';
import { attachmentErrors } from '../files/attach';

export const MAX_BULK = 1000;

export interface BulkRequest {
  create?: unknown[];
  update?: unknown[];
  delete?: unknown[];
}

export interface BulkResult {
  created: RecordData[];
  updated: RecordData[];
  deleted: number[];
}

/**
 * Everything derived from one metadata version that the record paths need: a
 * repository (compiled SQL), a validator (compiled ajv), the list planner, the hooks,
 * and the access loader that turns an actor into their rights.
 */
export class RecordStore {
  private readonly repositories = new Map<string, EntityRepository>();
  private readonly validators = new Map<string, EntityValidator>();
  readonly planner: ListPlanner;
  readonly hooks: HookRunner;
  private readonly ajv: Ajv;

  constructor(
    readonly meta: MetaRegistry,
    readonly db: Executor,
    readonly access: AccessLoader = new AccessLoader(db),
    hooks: readonly PluginHooks[] = [],
    readonly audit: AuditLog = new AuditLog(db),
    readonly keyring: Keyring | null = null,
    readonly events: EventBus = new EventBus(() => undefined),
    dictionaries: DictionaryLookup | null = null,
  ) {
    this.planner = new ListPlanner(meta, db.dialect, keyring);
    this.ajv = createAjv(dictionaries);
    this.hooks = new HookRunner(this, hooks);
  }

  /** The file store file fields draw from; writes to them are checked against it (core/src/files/attach.ts). */
  files: FileStore | null = null;
  /** In-app notifications for data contexts (`ctx.notifications`), when the platform has them. */
  notifier: ((actor: Actor, db: Executor) => Notifier) | null = null;

  /**
   * Compiled SQL and validators are built on first use and rebuilt when the entity's model
   * is replaced (custom fields, overlays, plugins enabled at runtime): the metadata
   * registry hands out a new model object for every change.
   */
  repository(entity: string): EntityRepository {
    const model = this.entity(entity);
    let repo = this.repositories.get(entity);
    if (repo?.entity !== model) this.repositories.set(entity, (repo = new EntityRepository(model, this.db.dialect, this.keyring)));
    return repo;
  }

  validator(entity: string): EntityValidator {
    const model = this.entity(entity);
    let v = this.validators.get(entity);
    if (v?.entity !== model) this.validators.set(entity, (v = new EntityValidator(model, this.ajv)));
    return v;
  }

  entity(name: string): EntityModel {
    const e = this.meta.get(name);
    if (!e) throw new NotFoundError(`No entity "${name}"`);
    return e;
  }

  /**
   * The service for one entity, acting as `actor`, running on `db` (the database or a
   * transaction). `announcements`: hand the record events of its writes to the caller
   * instead of queueing them on the transaction (see AnnouncementSink).
   */
  service(entity: string, actor: Actor, db: Executor = this.db, internal = false, announcements: AnnouncementSink | null = null): EntityService {
    return new EntityService(this, this.entity(entity), actor, db, internal, announcements);
  }

  /** Tell the event listeners about a committed change. */
  announce(entity: string, kind: RecordChange, record: RecordData, actor: Actor): void {
    const event = { event: `${entity}.${kind}`, entity, id: record.id as number, record, actor: { userId: actor.userId, username: actor.username } };
    this.events.emit(event, actor);
  }
}

export type RecordChange = 'created' | 'updated' | 'deleted';

/**
 * Takes the record events of a service's writes (which record changed, and how) instead
 * of queueing them, record included, on the transaction until it commits. For writes of
 * many thousand records in one transaction (imports): the caller keeps the ids and
 * announces the records once it has committed.
 */
export type AnnouncementSink = (kind: RecordChange, id: number) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Record operations on one entity, for one actor: access → validation → hooks →
 * repository, each mutation in one transaction. Every entry point (REST, plugin code,
 * seeds, and later pages, scripts, flows, imports) goes through here.
 */
export class EntityService implements RecordService<AnyRecord> {
  private readonly repo: EntityRepository;
  private profile: AccessProfile | null = null;

  constructor(
    private readonly store: RecordStore,
    readonly entity: EntityModel,
    readonly actor: Actor,
    private readonly db: Executor,
    /** Trusted plugin code (hooks): may write readonly, computed fields. */
    private readonly internal = false,
    private readonly announcements: AnnouncementSink | null = null,
  ) {
    this.repo = store.repository(entity.name);
  }

  private async access(): Promise<AccessProfile> {
    return (this.profile ??= await this.store.access.profile(this.actor));
  }

  /** `action`: rows must also be inside the caller's scope for it (an export lists what they may export). */
  private async plan(query: ListQuery, trash: boolean, action = 'read'): Promise<ListPlan> {
    const access = await this.access();
    for (const a of new Set(['read', action])) if (!access.can(this.entity.name, a)) throw new ForbiddenError(`You may not ${a} ${this.entity.name} records`);
    let plan: ListPlan;
    try {
      plan = this.store.planner.plan(this.entity, query, { trash, access });
    } catch (err) {
      if (err instanceof QueryError) throw new ValidationError(err.errors, 'The query is invalid');
      throw err;
    }
    const scope = action === 'read' ? null : this.scopeCondition(access, action);
    return scope ? { ...plan, where: join([plan.where, scope], ' AND ') } : plan;
  }

  async list(query: ListQuery = {}, options: { trash?: boolean; action?: string } = {}): Promise<ListResult<AnyRecord>> {
    return this.decodedPage(await this.plan(query, options.trash === true, options.action));
  }

  /**
   * What list() returns, as the response's JSON text where the database renders the records
   * (the embedded database, no expansions: data/rendered.ts); else list()'s result.
   */
  async listJson(query: ListQuery = {}, options: { trash?: boolean } = {}): Promise<JsonText | ListResult<AnyRecord>> {
    const plan = await this.plan(query, options.trash === true);
    const rendered = plan.expansions.length ? null : await this.repo.listRendered(this.db, plan);
    if (!rendered) return this.decodedPage(plan);
    return new JsonText().text('{"data":').append(rendered.records).text(`,"meta":${JSON.stringify(this.listMeta(plan, rendered.total, rendered.last))}}`);
  }

  private async decodedPage(plan: ListPlan): Promise<ListResult<AnyRecord>> {
    const { rows, total } = await this.repo.list(this.db, plan);
    const more = rows.length > plan.limit;
    const page = more ? rows.slice(0, plan.limit) : rows;
    const decode = this.repo.decoder(plan.output);
    const data = page.map(decode) as AnyRecord[];
    await this.applyExpansions(plan, data);
    return { data, meta: this.listMeta(plan, total, more ? (page[page.length - 1] as Row) : null) };
  }

  /** `last`: the stored values of the page's last row when more rows follow (the next cursor starts after it). */
  private listMeta(plan: ListPlan, total: number | undefined, last: Row | null): ListResult<AnyRecord>['meta'] {
    const meta: ListResult<AnyRecord>['meta'] = { limit: plan.limit };
    if (!plan.cursor) meta.offset = plan.offset;
    if (total !== undefined) meta.total = total;
    meta.nextCursor = last ? this.store.planner.cursorAfter(plan, last) : null;
    return meta;
  }

  async count(query: Pick<ListQuery, 'filter'> = {}): Promise<number> {
    const plan = await this.plan({ filter: query.filter, limit: 1 }, false);
    return this.repo.count(this.db, plan.where);
  }

  private async applyExpansions(plan: ListPlan, data: RecordData[]): Promise<void> {
    for (const x of plan.expansions) {
      const keys = x.foreignKey ? data.map((r) => r.id as number) : data.map((r) => r[x.field.name]).filter((v): v is number => typeof v === 'number');
      const found = await this.store.repository(x.target.name).expand(this.db, x, [...new Set(keys)]);
      for (const rec of data) {
        rec[x.field.name] = x.foreignKey ? (found.get(rec.id as number) ?? []) : rec[x.field.name] == null ? null : (found.get(rec[x.field.name] as number) ?? null);
      }
    }
  }

  async get(id: number, query: Pick<ListQuery, 'fields' | 'expand'> = {}): Promise<AnyRecord> {
    const access = await this.access();
    if (access.unrestricted && !query.fields && !query.expand) {
      const rec = await this.repo.get(this.db, id);
      if (!rec) throw new NotFoundError(`${this.entity.name} ${id} not found`);
      return rec as AnyRecord;
    }
    const plan = await this.plan({ ...query, filter: { id }, limit: 1 }, false);
    const { rows } = await this.repo.list(this.db, plan);
    if (!rows.length) throw new NotFoundError(`${this.entity.name} ${id} not found`);
    const data = [this.repo.decoder(plan.output)(rows[0])];
    await this.applyExpansions(plan, data);
    return data[0] as AnyRecord;
  }

  async create(data: Record<string, unknown>): Promise<AnyRecord> {
    return this.transaction(async (svc) => (await svc.insertMany([data], (i) => (i === 0 ? '' : `[${i}]`)))[0]);
  }

  async createMany(rows: readonly Record<string, unknown>[]): Promise<AnyRecord[]> {
    return this.transaction((svc) => svc.insertMany(rows, (i) => `[${i}]`));
  }

  async update(id: number, patch: Record<string, unknown>, options: { version: number }): Promise<AnyRecord> {
    return this.transaction((svc) => svc.updateOne(id, patch, options.version, ''));
  }

  async delete(id: number, options: { version?: number } = {}): Promise<void> {
    await this.transaction((svc) => svc.deleteOne(id, options.version, ''));
  }

  async restore(id: number): Promise<AnyRecord> {
    return this.transaction(async (svc) => {
      await svc.requireInScope(id, 'delete', true);
      const ok = await svc.repo.restore(svc.db, id, svc.actor.userId, nowDb());
      if (!ok) throw new NotFoundError(`${svc.entity.name} ${id} is not in the recycle bin`);
      await svc.audit('restore', id, null);
      const rec = await svc.mapWriteError(async () => (await svc.repo.get(svc.db, id))!, '');
      svc.announce('updated', rec); // back among the live records: caches and subscribers see it again
      return svc.visible(rec);
    });
  }

  async purge(id: number): Promise<void> {
    await this.transaction(async (svc) => {
      await svc.requireInScope(id, 'delete', true);
      const ok = await svc.mapWriteError(() => svc.repo.purge(svc.db, id), '');
      if (!ok) throw new NotFoundError(`${svc.entity.name} ${id} is not in the recycle bin`);
      await svc.audit('purge', id, null);
    });
  }

  /** Creates, updates and deletes in one transaction: all succeed or nothing is written. */
  async bulk(request: BulkRequest): Promise<BulkResult> {
    const errors: FieldError[] = Object.keys(request)
      .filter((k) => k !== 'create' && k !== 'update' && k !== 'delete')
      .map((k) => ({ field: k, rule: 'unknown', message: `A bulk request holds create, update and delete; not ${k}` }));
    const lists = { create: request.create ?? [], update: request.update ?? [], delete: request.delete ?? [] };
    for (const [key, list] of Object.entries(lists)) {
      if (!Array.isArray(list)) errors.push({ field: key, rule: 'type', message: `${key} must be an array` });
    }
    const size = lists.create.length + lists.update.length + lists.delete.length;
    if (size > MAX_BULK) errors.push({ field: '(body)', rule: 'maxItems', message: `A bulk request holds at most ${MAX_BULK} operations` });
    if (errors.length) throw new ValidationError(errors);
    return this.transaction(async (svc) => {
      const created = await svc.insertMany(lists.create as Record<string, unknown>[], (i) => `create[${i}]`);
      const updated: RecordData[] = [];
      for (const [i, item] of lists.update.entries()) {
        if (!isObject(item) || !Number.isInteger(item.id) || !Number.isInteger(item.version)) {
          throw new ValidationError([{ field: `update[${i}]`, rule: 'required', message: 'Each update needs an integer id and version' }]);
        }
        const { id, version, ...patch } = item;
        updated.push(await svc.updateOne(id as number, patch, version as number, `update[${i}]`));
      }
      const deleted: number[] = [];
      for (const [i, id] of lists.delete.entries()) {
        if (!Number.isInteger(id)) throw new ValidationError([{ field: `delete[${i}]`, rule: 'type', message: 'Each delete is a record id' }]);
        await svc.deleteOne(id as number, undefined, `delete[${i}]`);
        deleted.push(id as number);
      }
      return { created, updated, deleted };
    });
  }

  private async transaction<T>(fn: (svc: EntityService) => Promise<T>): Promise<T> {
    // Rights are loaded before the transaction takes a connection: loading them inside it
    // would need a second one, and under load every connection could end up waiting.
    await this.access();
    return this.db.transaction((tx) => {
      if (tx === this.db) return fn(this);
      const svc = new EntityService(this.store, this.entity, this.actor, tx, this.internal, this.announcements);
      svc.profile = this.profile;
      return fn(svc);
    });
  }

  // ---- access helpers -------------------------------------------------------------

  /** Whether the actor may do `action` on this entity at all, or on record `id` (readable and in scope). */
  async can(action: string, id?: number): Promise<boolean> {
    const access = await this.access();
    if (!access.can(this.entity.name, action)) return false;
    if (id === undefined || access.unrestricted) return true;
    const readable = this.store.planner.rowCondition(this.entity, 't', access);
    const scope = this.store.planner.accessCondition(this.entity, 't', access, action);
    const where = scope ? { text: `(${readable.text}) AND (${scope.text})`, params: [...readable.params, ...scope.params] } : readable;
    return (await this.repo.matching(this.db, [id], where)).has(id);
  }

  private async requireAction(action: string): Promise<AccessProfile> {
    const access = await this.access();
    if (!access.can(this.entity.name, action)) throw new ForbiddenError(`You may not ${action} ${this.entity.name} records`);
    return access;
  }

  /** Refuse readonly fields (and hidden ones, which the caller cannot know about) in a body. */
  private async checkWritableFields(body: Record<string, unknown>, at: string): Promise<void> {
    const access = await this.access();
    const readonly = access.readonlyFields(this.entity.name);
    const hidden = access.hiddenFields(this.entity.name);
    const errors: FieldError[] = [];
    for (const name of Object.keys(body)) {
      if (readonly.has(name) || hidden.has(name)) errors.push({ field: at ? `${at}.${name}` : name, rule: 'forbidden', message: `You may not write ${name}` });
    }
    if (errors.length) throw new ForbiddenError(`You may not write ${errors.map((e) => e.field).join(', ')}`, errors);
  }

  private scopeCondition(access: AccessProfile, action: string): Sql | null {
    return this.store.planner.accessCondition(this.entity, 't', access, action);
  }

  /**
   * The record must be readable (else 404: its existence is not revealed) and inside the
   * caller's scope for `action` (else 403).
   */
  private async requireInScope(id: number, action: string, trash = false): Promise<void> {
    const access = await this.requireAction(action);
    if (access.unrestricted) return;
    const readable = this.store.planner.rowCondition(this.entity, 't', access, { trash });
    if (!(await this.repo.matching(this.db, [id], readable)).has(id)) throw new NotFoundError(`${this.entity.name} ${id} not found`);
    const scope = this.scopeCondition(access, action);
    if (scope && !(await this.repo.matching(this.db, [id], scope)).has(id)) {
      throw new ForbiddenError(`${this.entity.name} ${id} is outside what you may ${action}`);
    }
  }

  /** After a write: every written record must be inside the caller's scope for `action`. */
  private async requireWrittenInScope(ids: readonly number[], action: string, at: (i: number) => string): Promise<void> {
    const access = await this.access();
    const scope = this.scopeCondition(access, action);
    if (!scope || ids.length === 0) return;
    const ok = await this.repo.matching(this.db, ids, scope);
    const bad = ids.findIndex((id) => !ok.has(id));
    if (bad >= 0) {
      const where = at(bad);
      throw new ForbiddenError(`${where ? `${where}: ` : ''}the ${this.entity.name} would be outside what you may ${action} (owner or department)`);
    }
  }

  /** Strip fields the caller may not see from a record returned by a write. */
  private visible(rec: RecordData): AnyRecord {
    const hidden = this.profile?.hiddenFields(this.entity.name);
    if (!hidden || hidden.size === 0) return rec as AnyRecord;
    return Object.fromEntries(Object.entries(rec).filter(([k]) => !hidden.has(k))) as AnyRecord;
  }

  // ---- audit ------------------------------------------------------------------------

  /** Written in the write's own transaction: a rollback takes the audit row with it. */
  private audit(action: string, recordId: number, changes: Record<string, { before: unknown; after: unknown }> | null): Promise<void> {
    return this.store.audit.write(this.db, this.actor, { action, entity: this.entity.name, recordId, changes });
  }

  /** Announce a change once it is committed (never one that rolled back). */
  private announce(kind: RecordChange, record: RecordData): void {
    if (this.announcements) return this.announcements(kind, record.id as number);
    this.db.afterCommit(() => this.store.announce(this.entity.name, kind, record, this.actor));
  }

  /** The fields that changed, before and after; sensitive values are masked. */
  private diff(before: RecordData | null, after: RecordData): Record<string, { before: unknown; after: unknown }> {
    const out: Record<string, { before: unknown; after: unknown }> = {};
    for (const f of this.entity.columns) {
      if (f.system) continue;
      const a = after[f.name] ?? null;
      const b = before ? (before[f.name] ?? null) : null;
      // Same value, or the same array or object (JSON); a created record skips the encoding.
      if (a === b || (a !== null && b !== null && typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b))) continue;
      const sensitive = (f.def as { sensitive?: boolean }).sensitive === true || f.encrypted;
      out[f.name] = { before: sensitive && b !== null ? MASK : b, after: sensitive && a !== null ? MASK : a };
    }
    for (const name of ['owner', 'department']) {
      const a = after[name] ?? null;
      const b = before ? (before[name] ?? null) : null;
      if (a !== b) out[name] = { before: b, after: a };
    }
    return out;
  }

  // ---- writes -----------------------------------------------------------------------

  private async insertMany(rows: readonly unknown[], at: (i: number) => string): Promise<AnyRecord[]> {
    const access = await this.requireAction('create');
    const validator = this.store.validator(this.entity.name);
    const errors: FieldError[] = [];
    rows.forEach((row, i) => errors.push(...validator.check('create', row, at(i), this.internal)));
    if (errors.length) throw new ValidationError(errors);
    const bodies: Record<string, unknown>[] = [];
    for (const [i, row] of (rows as Record<string, unknown>[]).entries()) {
      await this.checkWritableFields(row, at(i));
      bodies.push(await this.store.hooks.beforeCreate(this.entity.name, row, this.db, this.actor, at(i)));
    }
    await this.checkReferences(bodies, at);
    await this.checkFiles(bodies, at);
    const now = nowDb();
    const f = (name: string) => this.entity.fields.get(name)!;
    const records = bodies.map((body) => {
      const values = new Map<FieldModel, unknown>();
      values.set(f('version'), 1);
      values.set(f('createdAt'), now);
      values.set(f('updatedAt'), now);
      values.set(f('createdBy'), this.actor.userId);
      values.set(f('updatedBy'), this.actor.userId);
      values.set(f('owner'), body.owner === undefined ? this.actor.userId : body.owner);
      values.set(f('department'), body.department === undefined ? (access.directory?.departmentId ?? null) : body.department);
      // Non-system columns: client fields, plus readonly ones a hook computed.
      for (const field of this.entity.columns) {
        if (field.system) continue;
        const value = body[field.name] !== undefined ? body[field.name] : defaultValue(field);
        if (value !== undefined) values.set(field, value);
      }
      return values;
    });
    let ids: number[];
    try {
      ids = await this.repo.insertMany(this.db, records);
    } catch (err) {
      throw err instanceof RowInsertError ? this.writeError(err.cause, at(err.index)) : err;
    }
    await this.requireWrittenInScope(ids, 'create', at);
    const out: AnyRecord[] = [];
    for (let i = 0; i < ids.length; i += 500) out.push(...((await this.repo.getMany(this.db, ids.slice(i, i + 500))) as AnyRecord[]));
    await this.store.audit.writeMany(this.db, this.actor, out.map((rec) => ({ action: 'create', entity: this.entity.name, recordId: rec.id, changes: this.diff(null, rec) })));
    for (const rec of out) {
      await this.store.hooks.afterCreate(this.entity.name, rec, this.db, this.actor);
      this.announce('created', rec);
    }
    return out.map((r) => this.visible(r));
  }

  private async updateOne(id: number, patch: unknown, version: number, at: string): Promise<AnyRecord> {
    const errors = this.store.validator(this.entity.name).check('update', patch, at, this.internal);
    if (errors.length) throw new ValidationError(errors);
    await this.checkWritableFields(patch as Record<string, unknown>, at);
    await this.requireInScope(id, 'update');
    const before = (await this.repo.get(this.db, id)) as AnyRecord | null;
    if (!before) throw new NotFoundError(`${at ? `${at}: ` : ''}${this.entity.name} ${id} not found`);
    if (before.version !== version) await this.explainMiss(id, version, at);
    const body = await this.store.hooks.beforeUpdate(this.entity.name, before, patch as Record<string, unknown>, this.db, this.actor, at);
    await this.checkReferences([body], () => at);
    await this.checkFiles([body], () => at, before);
    const values = new Map<FieldModel, unknown>();
    values.set(this.entity.fields.get('updatedAt')!, nowDb());
    values.set(this.entity.fields.get('updatedBy')!, this.actor.userId);
    for (const [name, value] of Object.entries(body)) values.set(this.entity.fields.get(name)!, value);
    const ok = await this.mapWriteError(() => this.repo.update(this.db, id, version, values), at);
    if (!ok) await this.explainMiss(id, version, at);
    await this.requireWrittenInScope([id], 'update', () => at);
    const after = (await this.repo.get(this.db, id)) as AnyRecord;
    await this.store.hooks.afterUpdate(this.entity.name, before, after, this.db, this.actor);
    await this.audit('update', id, this.diff(before, after));
    this.announce('updated', after);
    return this.visible(after);
  }

  private async deleteOne(id: number, version: number | undefined, at: string): Promise<void> {
    await this.requireInScope(id, 'delete');
    const before = (await this.repo.get(this.db, id)) as AnyRecord | null;
    if (!before) throw new NotFoundError(`${at ? `${at}: ` : ''}${this.entity.name} ${id} not found`);
    if (version !== undefined && before.version !== version) await this.explainMiss(id, version, at);
    await this.store.hooks.beforeDelete(this.entity.name, before, this.db, this.actor);
    const ok = await this.repo.softDelete(this.db, id, this.actor.userId, nowDb());
    if (!ok) await this.explainMiss(id, version, at);
    await this.store.hooks.afterDelete(this.entity.name, before, this.db, this.actor);
    await this.audit('delete', id, null);
    this.announce('deleted', before);
  }

  /** A conditional write touched nothing: say whether the record is gone or changed. */
  private async explainMiss(id: number, version: number | undefined, at = ''): Promise<never> {
    const state = await this.repo.state(this.db, id);
    const where = at ? `${at}: ` : '';
    if (!state || state.deleted) throw new NotFoundError(`${where}${this.entity.name} ${id} not found`);
    throw new ConflictError('stale-version', `${where}${this.entity.name} ${id} was changed by someone else (version ${state.version}, yours ${version}); reload and try again`, [
      { field: at ? `${at}.version` : 'version', rule: 'stale', message: `current version is ${state.version}` },
    ]);
  }

  private async checkFiles(bodies: readonly Record<string, unknown>[], at: (i: number) => string, before?: AnyRecord): Promise<void> {
    if (!this.store.files) return;
    const errors = await attachmentErrors(this.store.files, this.db, this.entity, this.actor, this.internal, bodies, at, before);
    if (errors.length) throw new ValidationError(errors);
  }

  /**
   * Every reference must point at a record of its entity that the caller can read: a
   * reference to something invisible is reported exactly like one to nothing.
   */
  private async checkReferences(bodies: readonly Record<string, unknown>[], at: (i: number) => string): Promise<void> {
    const errors: FieldError[] = [];
    const access = await this.access();
    for (const field of this.entity.writable) {
      if (field.def.type !== 'reference') continue;
      const ids = [...new Set(bodies.map((b) => b[field.name]).filter((v): v is number => typeof v === 'number'))];
      if (!ids.length) continue;
      const target = this.store.entity(field.def.entity);
      const readable = this.store.planner.rowCondition(target, 't', access);
      const live = await this.store.repository(target.name).matching(this.db, ids, readable);
      bodies.forEach((b, i) => {
        const v = b[field.name];
        if (typeof v === 'number' && !live.has(v)) {
          const prefix = at(i);
          errors.push({ field: prefix ? `${prefix}.${field.name}` : field.name, rule: 'reference', message: `${field.name}: no ${target.name} with id ${v}` });
        }
      });
    }
    if (errors.length) throw new ValidationError(errors);
  }

  private async mapWriteError<T>(fn: () => Promise<T>, at: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.writeError(err, at);
    }
  }

  /** A database refusal as the client's error (unique → 409, reference → 400 or 409); anything else as it is. */
  private writeError(err: unknown, at: string): unknown {
    const info = this.db.dialect.classify(err);
    if (!info) return err;
    const prefix = at ? `${at}.` : '';
    if (info.kind === 'unique') {
      const fields = this.uniqueFields(info.index, info.columns);
      return new ConflictError(
        'unique',
        `Another ${this.entity.name} already has this ${fields.join(' + ') || 'value'} (records in the recycle bin count too)`,
        fields.map((f) => ({ field: prefix + f, rule: 'unique', message: `${f} must be unique` })),
      );
    }
    if (info.direction === 'has-children' || (info.direction === 'unknown' && at === '')) {
      return new ConflictError('in-use', `${this.entity.name} is referenced by other records and cannot be removed`);
    }
    return new ValidationError([{ field: prefix || '(body)', rule: 'reference', message: 'A referenced record does not exist' }]);
  }

  private uniqueFields(index: string | null, columns: string[]): string[] {
    const byColumn = (c: string) => this.entity.columns.find((f) => f.column === c || (f.encrypted && f.indexColumn === c))?.name ?? c;
    if (columns.length) return columns.map(byColumn);
    if (!index) return [];
    const single = this.entity.columns.find((f) => uniqueIndexName(this.entity.table, f.column) === index);
    if (single) return [single.name];
    const composite = this.entity.indexes.find((ix) => ix.unique && (ix.name ?? `uq_${this.entity.table}_${ix.fields.map((n) => this.entity.fields.get(n)!.column).join('_')}`) === index);
    return composite ? [...composite.fields] : [];
  }
}

function defaultValue(field: FieldModel): unknown {
  const d = field.def as { default?: unknown };
  if (d.default === undefined) return undefined;
  if (field.type === 'datetime' && d.default === 'now') return new Date().toISOString();
  return d.default;
}

