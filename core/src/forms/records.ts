import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PlinthError,
  ValidationError,
  type Actor,
  type AnyRecord,
  type EntityHooks,
  type FieldError,
  type FormDefinition,
  type FormValueField,
  type ListQuery,
  type ListResult,
} from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { RecordStore, EntityService } from '../services/records';
import { MAX_BULK } from '../services/records';
import { attachmentErrors } from '../files/attach';
import { ServiceDataContext } from '../services/context';
import { RecordScripts, type ComputedField } from '../scripts/record-checks';
import type { ScriptRuntime } from '../scripts/runtime';
import { FORMS_PLUGIN, formEntityNames } from './entities';
import { detailTotals, processSubmission, type SubmissionOptions } from './submission';
import type { FormService } from './service';

/** Set while a form endpoint writes: only then may records of data-form entities change. */
const formWrite = new AsyncLocalStorage<true>();

const SYSTEM_ROW_FIELDS = new Set(['header', 'owner', 'department', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Hooks on every entity that keep data-form records to their form endpoints, where the
 * formulas, conditions and rules apply and header and rows are written together. Reading
 * (lists, search, export) goes through the generic API as usual.
 */
export function dataFormGuard(store: () => RecordStore): (entity: string) => EntityHooks {
  const guard = (entity: string) => {
    if (formWrite.getStore()) return;
    const model = store().meta.get(entity);
    if (model?.plugin !== FORMS_PLUGIN) return;
    const isRow = model.fields.has('rowNo') && model.fields.get('header')?.def.type === 'reference';
    const header = isRow ? entity.slice(0, -'Detail'.length) : entity;
    const code = header.slice(4, 5).toLowerCase() + header.slice(5);
    throw new ForbiddenError(`Records of the data form "${code}" are written through /api/v1/forms/${code}/records, where its formulas and rules apply`);
  };
  return () => ({ beforeCreate: (_d, ctx) => guard(ctx.entity), beforeUpdate: (_c, ctx) => guard(ctx.entity), beforeDelete: (_r, ctx) => guard(ctx.entity) });
}

export interface FormRecordsOptions {
  forms: FormService;
  store: () => RecordStore;
  /** The platform's time zone and dictionaries, as of now. */
  submission: () => Pick<SubmissionOptions, 'timeZone' | 'dictionaries'>;
  /**
   * Stored scripts: validations of `form:<code>` / `form:<code>.<field>` and fields with
   * `computedBy`, run as the writer inside the write's transaction, before the header is written.
   */
  scripts?: ScriptRuntime;
}

interface FormWrite {
  operation: 'create' | 'update';
  /** The form data as it will be kept (header fields). */
  header: Record<string, unknown>;
  rows: readonly Record<string, unknown>[] | null;
  /** Updates: the stored record, rows included. */
  previous?: Record<string, unknown>;
  /** Updates: the fields sent. */
  changes?: Record<string, unknown>;
}

/** A service error with its field paths moved under `at(path)`. */
function moved(err: unknown, at: (field: string) => string): unknown {
  if (!(err instanceof PlinthError) || !err.errors.length) return err;
  return new PlinthError(err.status, err.code, err.message, err.errors.map((e) => ({ ...e, field: at(e.field) })));
}

interface Prepared {
  header: Record<string, unknown>;
  rows: Record<string, unknown>[] | null;
  owner?: unknown;
  department?: unknown;
}

/**
 * Records of data forms: header and detail rows written atomically through the service
 * layer (permissions, validation, audit), formulas computed on the server, one record or
 * a grid of many at once (all or nothing). Access to a record's rows is decided on the
 * record: whoever may read (or change) the header reads (or changes) its rows.
 */
export class FormRecords {
  private readonly checks: RecordScripts | null;

  constructor(private readonly options: FormRecordsOptions) {
    this.checks = options.scripts ? new RecordScripts(options.scripts) : null;
  }

  /**
   * Computed-field and validation scripts of a submission (the record with its detail rows
   * under the detail field's name); the computed values, to store with the header.
   * Errors are placed under `prefix` (`records[3]`).
   */
  private async runScripts(def: FormDefinition, code: string, actor: Actor, tx: Executor, write: FormWrite, prefix = ''): Promise<Record<string, unknown>> {
    if (!this.checks) return {};
    const target = `form:${code}`;
    const computed: ComputedField[] = def.fields.flatMap((f) => (f.type !== 'detail' && f.computedBy ? [{ field: f.name, script: f.computedBy }] : []));
    if (!(await this.checks.any(target, computed))) return {};
    const detail = this.detailOf(def);
    const record = detail ? { ...write.header, [detail.name]: write.rows ?? [] } : { ...write.header };
    const data = new ServiceDataContext(this.store, actor, tx);
    const header = formEntityNames(code).header;
    const base = { target, operation: write.operation, ...(write.previous ? { previous: write.previous } : {}) };
    try {
      const set = await this.checks.compute({ ...base, record }, computed, data, (field, value) => this.store.validator(header).check('update', { [field]: value }, '', true));
      await this.checks.validate({ ...base, record: { ...record, ...set }, ...(write.changes ? { changes: { ...write.changes, ...set } } : {}) }, data);
      return set;
    } catch (err) {
      throw prefix ? moved(err, (f) => `${prefix}.${f}`) : err;
    }
  }

  private get store(): RecordStore {
    return this.options.store();
  }

  /** The definition of a data form: enabled for writes; a disabled one's records can still be read. */
  private async dataForm(code: string, write = true): Promise<FormDefinition> {
    const stored = write ? null : await this.options.forms.repo.get(code);
    const form = stored && !stored.deletedAt ? stored : await this.options.forms.active(code);
    if (form.kind !== 'data') throw new ConflictError('conflict', `"${code}" is a workflow form: its data is kept by its flow, not as records`);
    if (!this.store.meta.get(formEntityNames(code).header)) throw new ConflictError('conflict', `The records of "${code}" are not available on this node yet; try again`);
    return form.definition;
  }

  private detailOf(def: FormDefinition) {
    return def.fields.find((f) => f.type === 'detail') as Extract<FormDefinition['fields'][number], { type: 'detail' }> | undefined;
  }

  /** The actor's access to header and rows of one form, loaded before a transaction takes a connection. */
  private services(code: string, actor: Actor, tx: Executor): { header: EntityService; rows: EntityService | null; rowReader: (entity: string) => EntityService } {
    const names = formEntityNames(code);
    // Rows belong to their header: written as the system in the header's transaction,
    // after the header write passed the actor's permissions.
    const system: Actor = { userId: actor.userId, username: actor.username, isAdmin: true, origin: actor.origin };
    return {
      header: this.store.service(names.header, actor, tx, true),
      rows: this.store.meta.get(names.detail) ? this.store.service(names.detail, system, tx, true) : null,
      rowReader: (entity) => this.store.service(entity, actor, tx),
    };
  }

  /** Split a body into form data and the record's owner/department, and process it. */
  private prepare(def: FormDefinition, body: unknown, options: SubmissionOptions): { prepared: Prepared; errors: FieldError[] } {
    const input = isObject(body) ? { ...body } : body;
    const extra: { owner?: unknown; department?: unknown } = {};
    if (isObject(input)) {
      for (const key of ['owner', 'department'] as const) {
        if (key in input) {
          extra[key] = input[key];
          delete input[key];
        }
      }
    }
    const result = processSubmission(def, input, { ...this.options.submission(), ...options });
    const detail = this.detailOf(def);
    const { [detail?.name ?? '']: rows, ...header } = result.data;
    return { prepared: { header, rows: detail ? ((rows as Record<string, unknown>[] | undefined) ?? []) : null, ...extra }, errors: result.errors };
  }

  /** Reference columns of rows must point at records the actor can read (as header references do). */
  private async checkRowReferences(def: FormDefinition, rows: readonly Record<string, unknown>[], svc: (entity: string) => EntityService, at: (i: number) => string): Promise<void> {
    const detail = this.detailOf(def);
    if (!detail) return;
    const errors: FieldError[] = [];
    for (const c of detail.fields) {
      const target = refTarget(c);
      if (!target) continue;
      const ids = [...new Set(rows.map((r) => r[c.name]).filter((v): v is number => typeof v === 'number'))];
      const seen = new Set<number>();
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const found = await svc(target).list({ filter: { id: { in: chunk } }, fields: ['id'], limit: chunk.length });
        for (const r of found.data) seen.add(r.id);
      }
      rows.forEach((r, i) => {
        const v = r[c.name];
        if (typeof v === 'number' && !seen.has(v)) errors.push({ field: `${at(i)}.${c.name}`, rule: 'reference', message: `${c.name}: no ${target} with id ${v}` });
      });
    }
    if (errors.length) throw new ValidationError(errors);
  }

  /**
   * File ids must be the actor's to attach (their uploads, or files the record holds): the
   * record service trusts its internal writes, so the actor is checked here, for the header
   * and for the rows alike.
   */
  private async checkFiles(entity: string, actor: Actor, tx: Executor, bodies: readonly Record<string, unknown>[], at: (i: number) => string, before?: Record<string, unknown>): Promise<void> {
    const files = this.store.files;
    const model = this.store.meta.get(entity);
    if (!files || !model) return;
    const errors = await attachmentErrors(files, tx, model, actor, false, bodies, at, before);
    if (errors.length) throw new ValidationError(errors);
  }

  private headerBody(def: FormDefinition, prepared: Prepared, all: boolean): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    for (const f of def.fields) {
      if (f.type === 'detail') continue;
      if (f.name in prepared.header) body[f.name] = prepared.header[f.name];
      else if (all) body[f.name] = null;
    }
    if (prepared.owner !== undefined) body.owner = prepared.owner;
    if (prepared.department !== undefined) body.department = prepared.department;
    return body;
  }

  private rowBody(def: FormDefinition, row: Record<string, unknown>): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    for (const c of this.detailOf(def)!.fields) body[c.name] = row[c.name] ?? null;
    return body;
  }

  private async readRows(rows: EntityService, headerId: number): Promise<AnyRecord[]> {
    const out: AnyRecord[] = [];
    let cursor: string | undefined;
    do {
      const page: ListResult<AnyRecord> = await rows.list({ filter: { header: headerId }, sort: ['rowNo'], limit: 500, ...(cursor ? { cursor } : {}) });
      out.push(...page.data);
      cursor = page.meta.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  private view(def: FormDefinition, header: AnyRecord, rows: AnyRecord[] | null): AnyRecord {
    const detail = this.detailOf(def);
    if (!detail || !rows) return header;
    const out: AnyRecord = { ...header, [detail.name]: rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !SYSTEM_ROW_FIELDS.has(k)))) };
    const totals = detailTotals(def, rows);
    if (totals) out._totals = totals;
    return out;
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    return formWrite.run(true, fn);
  }

  async list(actor: Actor, code: string, query: ListQuery): Promise<ListResult<AnyRecord>> {
    await this.dataForm(code, false);
    return this.store.service(formEntityNames(code).header, actor).list(query);
  }

  async get(actor: Actor, code: string, id: number): Promise<AnyRecord> {
    const def = await this.dataForm(code, false);
    const s = this.services(code, actor, this.store.db);
    const header = await s.header.get(id);
    return this.view(def, header, s.rows ? await this.readRows(s.rows, id) : null);
  }

  async create(actor: Actor, code: string, body: unknown, options: SubmissionOptions = {}): Promise<AnyRecord> {
    const def = await this.dataForm(code);
    const { prepared, errors } = this.prepare(def, body, options);
    if (errors.length) throw new ValidationError(errors);
    await this.store.access.profile(actor);
    const detail = this.detailOf(def);
    return this.run(() =>
      this.store.db.transaction(async (tx) => {
        const s = this.services(code, actor, tx);
        const names = formEntityNames(code);
        const body = this.headerBody(def, prepared, false);
        Object.assign(body, await this.runScripts(def, code, actor, tx, { operation: 'create', header: prepared.header, rows: prepared.rows }));
        await this.checkFiles(names.header, actor, tx, [body], () => '');
        const header = await s.header.create(body);
        let rows: AnyRecord[] | null = null;
        if (s.rows && prepared.rows) {
          await this.checkRowReferences(def, prepared.rows, s.rowReader, (i) => `${detail!.name}[${i}]`);
          await this.checkFiles(names.detail, actor, tx, prepared.rows, (i) => `${detail!.name}[${i}]`);
          const bodies = prepared.rows.map((r, i) => ({ ...this.rowBody(def, r), header: header.id, rowNo: i + 1, owner: header.owner, department: header.department }));
          rows = await s.rows.createMany(bodies).catch((err: unknown) => {
            throw moved(err, (f) => f.replace(/^\[(\d+)\]/, `${detail!.name}[$1]`));
          });
        }
        return this.view(def, header, rows);
      }),
    );
  }

  async update(actor: Actor, code: string, id: number, patch: Record<string, unknown>, version: number, options: SubmissionOptions = {}): Promise<AnyRecord> {
    const def = await this.dataForm(code);
    const detail = this.detailOf(def);
    const names = formEntityNames(code);
    // The actor must see the record; the merge reads every stored value (a field hidden from
    // the actor still feeds formulas), and only fields sent, computed or hidden by a condition are written.
    await this.store.service(names.header, actor).get(id, { fields: ['id'] });
    const system: Actor = { userId: actor.userId, username: actor.username, isAdmin: true, origin: actor.origin };
    const stored = await this.store.service(names.header, system).get(id);
    const storedRows = detail ? await this.readRows(this.store.service(names.detail, system), id) : [];
    const merged: Record<string, unknown> = {};
    for (const f of def.fields) if (f.type !== 'detail' && !f.formula) merged[f.name] = stored[f.name] ?? null;
    if (detail) merged[detail.name] = storedRows.map((r) => ({ id: r.id, ...this.rowBody(def, r) }));
    const sent = new Set(Object.keys(patch));
    const { prepared, errors } = this.prepare(def, { ...merged, ...patch }, { ...options, rowIds: true, defaults: false });
    const known = new Map(storedRows.map((r) => [r.id, r]));
    const used = new Set<number>();
    (prepared.rows ?? []).forEach((r, i) => {
      if (r.id === undefined) return;
      const rowId = r.id as number;
      if (!known.has(rowId) || used.has(rowId)) errors.push({ field: `${detail!.name}[${i}].id`, rule: 'reference', message: `${detail!.name}[${i}].id: ${rowId} is not a row of this record` });
      used.add(rowId);
    });
    if (errors.length) throw new ValidationError(errors);
    const body = this.headerBody(def, prepared, true);
    for (const f of def.fields) {
      if (f.type === 'detail' || f.formula || sent.has(f.name)) continue;
      // Unsent fields keep their value unless a condition now hides them.
      if (body[f.name] !== null || stored[f.name] === null || stored[f.name] === undefined) delete body[f.name];
    }
    // Script-computed fields are written only when their script computes them.
    for (const f of def.fields) if (f.type !== 'detail' && f.computedBy) delete body[f.name];
    await this.store.access.profile(actor);
    return this.run(() =>
      this.store.db.transaction(async (tx) => {
        const s = this.services(code, actor, tx);
        const previous = detail ? { ...stored, [detail.name]: storedRows } : stored;
        Object.assign(body, await this.runScripts(def, code, actor, tx, { operation: 'update', header: prepared.header, rows: prepared.rows, previous, changes: patch }));
        await this.checkFiles(names.header, actor, tx, [body], () => '', stored);
        const header = await s.header.update(id, body, { version });
        if (!s.rows || !prepared.rows) return this.view(def, header, null);
        const at = (i: number) => `${detail!.name}[${i}]`;
        await this.checkRowReferences(def, prepared.rows, s.rowReader, at);
        for (const [i, r] of prepared.rows.entries()) await this.checkFiles(names.detail, actor, tx, [r], () => at(i), r.id === undefined ? undefined : known.get(r.id as number));
        const rows: AnyRecord[] = [];
        for (const [i, r] of prepared.rows.entries()) {
          const values = { ...this.rowBody(def, r), rowNo: i + 1 };
          const before = r.id === undefined ? undefined : known.get(r.id as number);
          try {
            if (!before) rows.push(await s.rows.create({ ...values, header: id, owner: header.owner, department: header.department }));
            else if (Object.entries(values).some(([k, v]) => JSON.stringify(before[k] ?? null) !== JSON.stringify(v))) rows.push(await s.rows.update(before.id, values, { version: before.version }));
            else rows.push(before);
          } catch (err) {
            throw moved(err, (f) => `${at(i)}.${f}`);
          }
        }
        for (const r of storedRows) if (!used.has(r.id)) await s.rows.delete(r.id);
        return this.view(def, header, rows);
      }),
    );
  }

  async delete(actor: Actor, code: string, id: number, version?: number): Promise<void> {
    await this.dataForm(code);
    await this.store.access.profile(actor);
    await this.run(() =>
      this.store.db.transaction(async (tx) => {
        const s = this.services(code, actor, tx);
        await s.header.delete(id, version === undefined ? {} : { version });
        if (s.rows) for (const r of await this.readRows(s.rows, id)) await s.rows.delete(r.id);
      }),
    );
  }

  /**
   * Spreadsheet-style entry: many records (each with its rows) checked with the same
   * rules; errors name the record (`records[3].amount`); written all or nothing.
   */
  async grid(actor: Actor, code: string, body: unknown, options: SubmissionOptions = {}): Promise<AnyRecord[]> {
    const def = await this.dataForm(code);
    const records = isObject(body) ? body.records : undefined;
    if (!Array.isArray(records)) throw new ValidationError([{ field: 'records', rule: 'type', message: 'Send {"records": [ … ]}: one object per record' }]);
    if (records.length === 0) throw new ValidationError([{ field: 'records', rule: 'minItems', message: 'records is empty' }]);
    if (records.length > MAX_BULK) throw new ValidationError([{ field: 'records', rule: 'maxItems', message: `At most ${MAX_BULK} records at once` }]);
    const errors: FieldError[] = [];
    const prepared = records.map((r, i) => {
      const p = this.prepare(def, r, { ...options, prefix: `records[${i}]` });
      errors.push(...p.errors);
      return p.prepared;
    });
    if (errors.length) throw new ValidationError(errors, `${new Set(errors.map((e) => /^records\[(\d+)\]/.exec(e.field)?.[1])).size} of ${records.length} records are invalid; nothing was written`);
    const detail = this.detailOf(def);
    await this.store.access.profile(actor);
    return this.run(() =>
      this.store.db.transaction(async (tx) => {
        const s = this.services(code, actor, tx);
        const names = formEntityNames(code);
        const bodies = prepared.map((p) => this.headerBody(def, p, false));
        for (const [i, p] of prepared.entries()) Object.assign(bodies[i], await this.runScripts(def, code, actor, tx, { operation: 'create', header: p.header, rows: p.rows }, `records[${i}]`));
        await this.checkFiles(names.header, actor, tx, bodies, (i) => `records[${i}]`);
        const headers = await s.header.createMany(bodies).catch((err: unknown) => {
          throw moved(err, (f) => f.replace(/^\[(\d+)\]/, 'records[$1]'));
        });
        if (!s.rows || !detail) return headers;
        const flat: { record: number; row: number; body: Record<string, unknown> }[] = [];
        prepared.forEach((p, i) => (p.rows ?? []).forEach((r, j) => flat.push({ record: i, row: j, body: { ...this.rowBody(def, r), header: headers[i].id, rowNo: j + 1, owner: headers[i].owner, department: headers[i].department } })));
        const where = (k: number) => `records[${flat[k].record}].${detail.name}[${flat[k].row}]`;
        await this.checkRowReferences(def, flat.map((f) => f.body), s.rowReader, where);
        await this.checkFiles(names.detail, actor, tx, flat.map((f) => f.body), where);
        const rows = await s.rows.createMany(flat.map((f) => f.body)).catch((err: unknown) => {
          throw moved(err, (f) => f.replace(/^\[(\d+)\]/, (_m, k: string) => where(Number(k))));
        });
        return headers.map((h, i) => this.view(def, h, rows.filter((_r, k) => flat[k].record === i)));
      }),
    );
  }
}

function refTarget(f: FormValueField): string | null {
  if (f.type === 'reference') return f.entity;
  if (f.type === 'user' || f.type === 'department') return f.type;
  return null;
}
