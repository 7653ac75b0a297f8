import path from 'node:path';
import { ForbiddenError, PlinthError, type Actor, type FieldError, type I18nText } from '@plinth/sdk';
import type { EntityModel, FieldModel } from '../meta/model';
import type { AnnouncementSink, RecordStore, EntityService } from '../services/records';
import type { Executor } from '../data/database';
import { mustBeSent } from '../services/validation';
import { HttpError } from '../app/errors';
import { referenceTarget } from './columns';
import { cellParser, cellText, plainCell, type Cell, type CellProblem, type Parsed } from './cells-in';
import { bindColumns, checkKey, importable, suggestMapping, uniqueField, type Binding, type FieldRights, type SuggestedColumn } from './mapping';
import { ReferenceResolver, comparable, holders } from './lookups';
import { checkWorkbook, detectFormat, readRows, type ReadOptions, type SheetInfo, type SheetRow } from './sheet-reader';
import { Spool, type Entry } from './spool';
import type { Upload } from './upload';
import { KeyedMutex } from './mutex';
import type { DictionaryItems } from './options';

export interface ImportLimits {
  /** Largest upload, in bytes. */
  maxBytes: number;
  /** Most data rows in one file. */
  maxRows: number;
}

export interface ImportOptions {
  /** {header: field or null}; default: the suggested mapping. */
  mapping?: Record<string, unknown>;
  /** Upsert key: rows whose key matches a record update it, the others create one. */
  key?: string;
  /** Write the good rows and report the bad ones, instead of writing nothing when any row is bad. */
  skipBadRows: boolean;
  /** Check every row, write nothing. */
  dryRun: boolean;
  /** What an empty cell does to a record being updated: clear the field (default) or keep its value. */
  emptyCells: 'clear' | 'keep';
  /** Time zone of datetimes written without one. */
  tz: string;
  /** Row holding the column names (default 1). */
  headerRow: number;
  read: ReadOptions;
}

/** A problem with one row: the sheet row, the column (letter and header) and the field. */
export interface ImportIssue extends FieldError {
  row: number | null;
  column?: string;
  header?: string;
}

export interface ImportReport {
  entity: string;
  format: string;
  sheet?: string;
  dryRun: boolean;
  skipBadRows: boolean;
  key: string | null;
  /** Data rows read (empty rows are not counted). */
  rows: number;
  valid: number;
  invalid: number;
  /** Written (or, in a dry run, that would be). */
  created: number;
  updated: number;
  skipped: number;
  /** Whether anything was written. */
  written: boolean;
  errorCount: number;
  /** The first MAX_LISTED problems, in row order. */
  errors: ImportIssue[];
  errorsTruncated: boolean;
}

export interface ImportPreview {
  format: string;
  sheet?: string;
  sheets?: string[];
  encoding?: string;
  delimiter?: string;
  headerRow: number;
  columns: SuggestedColumn[];
  mapping: Record<string, string | null>;
  /** The first rows as read (cells from column A on). */
  sample: { row: number; cells: Cell[] }[];
  /** What the caller may import into, for a mapping screen. */
  fields: { name: string; label: I18nText; type: string; required: boolean; key: boolean }[];
}

const BATCH = 500;
const MAX_LISTED = 1000;
const SAMPLE_ROWS = 5;
/** A workbook may unpack to this many times the upload limit before it is refused as a zip bomb. */
const UNPACK_FACTOR = 20;

/** Problems of a whole import, collected in order with a cap on how many are listed. */
class Issues {
  readonly list: ImportIssue[] = [];
  count = 0;
  readonly badRows = new Set<number>();

  add(issue: ImportIssue): void {
    this.count++;
    if (issue.row !== null) this.badRows.add(issue.row);
    if (this.list.length < MAX_LISTED) this.list.push(issue);
  }
}

/** One row on its way through the checks. */
interface Pending {
  row: number;
  body: Record<string, unknown>;
  blanks: string[];
  key: unknown;
  id: number | null;
  problems: ImportIssue[];
}

const isEmptyRow = (cells: readonly unknown[]) => cells.every((c) => c === null || c === undefined || (typeof c === 'string' && c.trim() === ''));

/**
 * Imports records from xlsx or CSV through the record service. Every row is checked
 * first — cells read by field type, enums by code or label, references by id or title,
 * required, type, pattern and unique rules, the key looked up — streaming the file and
 * keeping the good rows in a spool on disk. Nothing is written when any row is bad unless
 * bad rows are to be skipped; then the rows are written in batches through the service
 * (validation, hooks, permissions, audit): all of them in one transaction, or with
 * skipping one transaction per batch, a failing batch retried row by row.
 */
export class RecordImporter {
  private readonly locks = new KeyedMutex();

  constructor(
    private readonly store: () => RecordStore,
    readonly limits: ImportLimits,
    private readonly dictionaries: DictionaryItems | null = null,
  ) {}

  private async rights(store: RecordStore, entity: EntityModel, actor: Actor): Promise<FieldRights> {
    const profile = await store.access.profile(actor);
    return { hidden: profile.hiddenFields(entity.name), readonly: profile.readonlyFields(entity.name) };
  }

  private async open(upload: Upload, options: Pick<ImportOptions, 'headerRow' | 'read'>): Promise<{ info: SheetInfo; headers: string[]; rows: AsyncGenerator<SheetRow> }> {
    const format = await detectFormat(upload.path);
    if (format === 'xlsx') await checkWorkbook(upload.path, this.limits.maxBytes * UNPACK_FACTOR);
    const info: SheetInfo = { format };
    const rows = readRows(upload.path, format, options.read, info);
    for (;;) {
      const next = await rows.next();
      if (next.done || next.value.row > options.headerRow) {
        await rows.return(undefined);
        throw new HttpError(400, 'no-header', `Row ${options.headerRow} of the file is empty: it must hold the column names`);
      }
      if (next.value.row < options.headerRow) continue;
      const headers = next.value.cells.map((c) => {
        const p = plainCell(c);
        return 'value' in p ? cellText(p.value) : '';
      });
      while (headers.length && headers[headers.length - 1] === '') headers.pop();
      if (!headers.length) {
        await rows.return(undefined);
        throw new HttpError(400, 'no-header', `Row ${options.headerRow} of the file is empty: it must hold the column names`);
      }
      return { info, headers, rows };
    }
  }

  private async service(entityName: string, actor: Actor): Promise<{ store: RecordStore; svc: EntityService; entity: EntityModel; rights: FieldRights }> {
    const store = this.store();
    const svc = store.service(entityName, actor);
    if (!(await svc.can('import'))) throw new ForbiddenError(`You may not import ${svc.entity.name} records`);
    return { store, svc, entity: svc.entity, rights: await this.rights(store, svc.entity, actor) };
  }

  /** Headers, a suggested mapping and the first rows of an uploaded file. */
  async preview(entityName: string, actor: Actor, upload: Upload, options: Pick<ImportOptions, 'key' | 'headerRow' | 'read'>): Promise<ImportPreview> {
    const { store, entity, rights } = await this.service(entityName, actor);
    if (options.key !== undefined) checkKey(entity, options.key, rights);
    const { info, headers, rows } = await this.open(upload, options);
    const sample: ImportPreview['sample'] = [];
    try {
      for await (const r of rows) {
        if (isEmptyRow(r.cells)) continue;
        sample.push({ row: r.row, cells: r.cells.map((c) => { const p = plainCell(c); return 'value' in p ? p.value : null; }) });
        if (sample.length === SAMPLE_ROWS) break;
      }
    } finally {
      await rows.return(undefined);
    }
    const columns = suggestMapping(entity, headers, rights, options.key);
    return {
      format: info.format,
      ...(info.sheet !== undefined ? { sheet: info.sheet, sheets: info.sheets } : {}),
      ...(info.encoding !== undefined ? { encoding: info.encoding, delimiter: info.delimiter } : {}),
      headerRow: options.headerRow,
      columns,
      mapping: Object.fromEntries(columns.filter((c) => c.header !== '').map((c) => [c.header, c.field])),
      sample,
      fields: [...entity.fields.values()]
        .sort((a, b) => Number(a.system) - Number(b.system))
        .filter((f) => importable(f, rights) || (f.name === 'id' && options.key === 'id'))
        .map((f) => ({ name: f.name, label: f.label, type: referenceTarget(store.meta, f) ? 'reference' : f.type, required: mustBeSent(f), key: uniqueField(entity, f) })),
    };
  }

  /** Check every row and, unless it is a dry run or a row is bad (and not skipped), write them. */
  async run(entityName: string, actor: Actor, upload: Upload, options: ImportOptions): Promise<ImportReport> {
    const { store, svc, entity, rights } = await this.service(entityName, actor);
    const keyField = options.key !== undefined ? checkKey(entity, options.key, rights) : null;
    const { info, headers, rows } = await this.open(upload, options);
    let bindings: Binding[];
    try {
      bindings = bindColumns(entity, headers, options.mapping, rights, options.key);
    } catch (err) {
      await rows.return(undefined);
      throw err;
    }
    // Imports of one entity on this node take turns: the second checks its keys against
    // what the first wrote. Across nodes, unique indexes and transactions keep data whole.
    const release = options.dryRun ? () => undefined : await this.locks.lock(entity.name);
    try {
      const issues = new Issues();
      const spool = options.dryRun ? null : new Spool(path.join(upload.dir, 'rows.ndjson'));
      const checker = new RowChecker(store, svc, entity, actor, bindings, keyField, options, issues, this.dictionaries);
      await checker.init();
      const predicted = { created: 0, updated: 0 };
      let count = 0;
      let chunk: SheetRow[] = [];
      const flush = async () => {
        for (const entry of await checker.check(chunk)) {
          if (entry.id === null) predicted.created++;
          else predicted.updated++;
          await spool?.add(entry);
        }
        chunk = [];
      };
      try {
        for await (const r of rows) {
          if (isEmptyRow(r.cells)) continue;
          if (++count > this.limits.maxRows) throw new HttpError(413, 'too-many-rows', `The file has more than ${this.limits.maxRows} rows (IMPORT_MAX_ROWS); split it`);
          chunk.push(r);
          if (chunk.length === BATCH) await flush();
        }
        if (chunk.length) await flush();
      } finally {
        await rows.return(undefined);
        await spool?.close();
      }
      const report: ImportReport = {
        entity: entity.name,
        format: info.format,
        ...(info.sheet !== undefined ? { sheet: info.sheet } : {}),
        dryRun: options.dryRun,
        skipBadRows: options.skipBadRows,
        key: options.key ?? null,
        rows: count,
        valid: count - issues.badRows.size,
        invalid: issues.badRows.size,
        created: 0,
        updated: 0,
        skipped: 0,
        written: false,
        errorCount: 0,
        errors: [],
        errorsTruncated: false,
      };
      const finish = () => {
        report.errorCount = issues.count;
        report.errors = issues.list.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
        report.errorsTruncated = issues.count > issues.list.length;
        report.invalid = issues.badRows.size;
        return report;
      };
      if (options.dryRun) {
        Object.assign(report, predicted, { skipped: options.skipBadRows ? issues.badRows.size : 0 });
        return finish();
      }
      if (issues.count && !options.skipBadRows) return finish();
      const writer = new BatchWriter(store, entity, actor, bindings, issues);
      const counts = options.skipBadRows ? await writer.writeSkipping(spool!) : await writer.writeAll(spool!);
      Object.assign(report, counts, { skipped: options.skipBadRows ? issues.badRows.size : 0, written: counts.created + counts.updated > 0 });
      report.valid = count - issues.badRows.size;
      await store.audit.event(actor, { action: 'import', entity: entity.name, detail: `${counts.created} created, ${counts.updated} updated, ${report.skipped} skipped of ${count} rows (${info.format})` });
      return finish();
    } finally {
      release();
    }
  }
}

/** Checks rows chunk by chunk; remembers keys and unique values across chunks. */
class RowChecker {
  private readonly resolver: ReferenceResolver;
  private readonly parsers: ((cell: Exclude<Cell, null>) => Parsed)[];
  private readonly targets: (EntityModel | null)[];
  private readonly byField: Map<string, Binding>;
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly uniques: FieldModel[];
  private canCreate = false;
  private canUpdate = false;

  constructor(
    private readonly store: RecordStore,
    private readonly svc: EntityService,
    private readonly entity: EntityModel,
    private readonly actor: Actor,
    private readonly bindings: readonly Binding[],
    private readonly keyField: FieldModel | null,
    private readonly options: ImportOptions,
    private readonly issues: Issues,
    dictionaries: DictionaryItems | null,
  ) {
    this.resolver = new ReferenceResolver(store, actor);
    this.targets = bindings.map((b) => referenceTarget(store.meta, b.field));
    this.parsers = bindings.map((b, i) => cellParser(b.field, this.targets[i] !== null, options.tz, dictionaries));
    this.byField = new Map(bindings.map((b) => [b.field.name, b]));
    this.uniques = bindings.map((b) => b.field).filter((f) => f !== keyField && f.name !== 'id' && uniqueField(entity, f));
  }

  async init(): Promise<void> {
    this.canCreate = await this.svc.can('create');
    this.canUpdate = await this.svc.can('update');
  }

  private issue(p: Pending, field: string, problem: CellProblem): void {
    const b = this.byField.get(field);
    p.problems.push({
      row: p.row,
      ...(b ? { column: b.letter, header: b.header } : {}),
      field: field || '(row)',
      rule: problem.rule,
      message: b ? `${b.header}: ${problem.message}` : problem.message,
    });
  }

  private seenBefore(field: string, value: unknown, row: number): number | undefined {
    let m = this.seen.get(field);
    if (!m) this.seen.set(field, (m = new Map()));
    const k = comparable(this.store.db.dialect.kind, value);
    const first = m.get(k);
    if (first === undefined) m.set(k, row);
    return first;
  }

  async check(rows: readonly SheetRow[]): Promise<Entry[]> {
    const pending = rows.map((r) => this.parse(r));
    await this.resolveReferences(pending);
    await this.resolveKeys(pending);
    for (const p of pending) this.finishBody(p);
    await this.checkUniques(pending);
    const out: Entry[] = [];
    for (const p of pending) {
      if (p.problems.length) p.problems.forEach((i) => this.issues.add(i));
      else out.push({ r: p.row, id: p.id, b: p.body });
    }
    return out;
  }

  private parse(r: SheetRow): Pending {
    const p: Pending = { row: r.row, body: {}, blanks: [], key: null, id: null, problems: [] };
    this.bindings.forEach((b, i) => {
      const plain = plainCell(r.cells[b.index]);
      if ('error' in plain) return this.issue(p, b.field.name, plain.error);
      if (plain.value === null) {
        p.blanks.push(b.field.name);
        return;
      }
      const parsed = this.parsers[i](plain.value);
      if ('error' in parsed) this.issue(p, b.field.name, parsed.error);
      else if ('lookup' in parsed) p.body[b.field.name] = { lookup: parsed.lookup };
      else p.body[b.field.name] = parsed.value;
    });
    return p;
  }

  /** References given by text or id become ids of records the caller can read. */
  private async resolveReferences(pending: Pending[]): Promise<void> {
    for (const [i, b] of this.bindings.entries()) {
      const target = this.targets[i];
      if (!target) continue;
      const name = b.field.name;
      const texts = pending.map((p) => p.body[name]).filter((v): v is { lookup: string } => typeof v === 'object' && v !== null).map((v) => v.lookup);
      const ids = pending.map((p) => p.body[name]).filter((v): v is number => typeof v === 'number');
      const byText = texts.length ? await this.resolver.resolveTexts(target, texts) : new Map();
      const byId = ids.length ? await this.resolver.resolveIds(target, ids) : new Map();
      for (const p of pending) {
        const v = p.body[name];
        if (v === undefined) continue;
        const r = typeof v === 'number' ? byId.get(v) : byText.get((v as { lookup: string }).lookup);
        if (!r || 'error' in r) {
          delete p.body[name];
          this.issue(p, name, r ? r.error : { rule: 'reference', message: 'cannot be resolved' });
        } else p.body[name] = r.id;
      }
    }
  }

  /** Rows whose key matches a record update it; the rest create one. */
  private async resolveKeys(pending: Pending[]): Promise<void> {
    const key = this.keyField;
    for (const p of pending) {
      if (!key) continue;
      p.key = key.name === 'id' ? (p.body.id ?? null) : (p.body[key.name] ?? null);
      delete p.body.id;
      if (p.key === null) continue;
      const first = this.seenBefore(`key:${key.name}`, p.key, p.row);
      if (first !== undefined) this.issue(p, key.name, { rule: 'duplicate', message: `the same ${key.name} as row ${first}` });
    }
    if (!key) return;
    const keyed = pending.filter((p) => p.key !== null && !p.problems.length);
    if (!keyed.length) return;
    const found = await holders(this.store, this.entity, key, keyed.map((p) => p.key));
    const live = [...new Set([...found.values()].filter((h) => !h.deleted).map((h) => h.id))];
    const updatable = await this.updatable(live);
    const kind = this.store.db.dialect.kind;
    for (const p of keyed) {
      const hit = found.get(comparable(kind, p.key));
      if (!hit) {
        if (key.name === 'id') this.issue(p, 'id', { rule: 'not-found', message: `no ${this.entity.name} with id ${String(p.key)}` });
        continue;
      }
      if (hit.deleted) this.issue(p, key.name, { rule: 'unique', message: `a ${this.entity.name} in the recycle bin has this ${key.name}; restore or purge it first` });
      else if (!updatable.has(hit.id)) {
        const problem = key.name === 'id' ? { rule: 'not-found', message: `no ${this.entity.name} with id ${hit.id}` } : { rule: 'forbidden', message: `the ${this.entity.name} with this ${key.name} is outside what you may update` };
        this.issue(p, key.name, problem);
      } else p.id = hit.id;
    }
  }

  /** Which of `ids` the caller may read and update. */
  private async updatable(ids: number[]): Promise<Set<number>> {
    if (!ids.length || !this.canUpdate) return new Set();
    const access = await this.store.access.profile(this.actor);
    if (access.unrestricted) return new Set(ids);
    const planner = this.store.planner;
    const readable = planner.rowCondition(this.entity, 't', access);
    const scope = planner.accessCondition(this.entity, 't', access, 'update');
    const where = scope ? { text: `(${readable.text}) AND (${scope.text})`, params: [...readable.params, ...scope.params] } : readable;
    return this.store.repository(this.entity.name).matching(this.store.db, ids, where);
  }

  /** Decide create or update, apply empty cells, and check the body as the service will. */
  private finishBody(p: Pending): void {
    // A row already refused still gets the field rules checked: the report lists every problem of it.
    const refused = new Set(p.problems.map((i) => i.field));
    const mode = p.id === null ? 'create' : 'update';
    if (!refused.size && mode === 'create' && !this.canCreate) return this.issue(p, '', { rule: 'forbidden', message: `You may not create ${this.entity.name} records` });
    if (mode === 'update') {
      if (this.options.emptyCells === 'clear') for (const name of p.blanks) if (name !== this.keyField?.name) p.body[name] = null;
      if (this.keyField) delete p.body[this.keyField.name];
    }
    for (const e of this.store.validator(this.entity.name).check(mode, p.body, '')) {
      if (!refused.has(e.field)) this.issue(p, e.field === '(body)' ? '' : e.field, { rule: e.rule, message: e.message });
    }
  }

  /** Unique fields: no value twice in the file, none held by another record. */
  private async checkUniques(pending: Pending[]): Promise<void> {
    for (const f of this.uniques) {
      const rows = pending.filter((p) => p.body[f.name] !== undefined && p.body[f.name] !== null && !p.problems.some((i) => i.field === f.name));
      // Only rows that will be written claim a value within the file.
      for (const p of rows.filter((r) => !r.problems.length)) {
        const first = this.seenBefore(f.name, p.body[f.name], p.row);
        if (first !== undefined) this.issue(p, f.name, { rule: 'duplicate', message: `the same ${f.name} as row ${first}` });
      }
      const found = await holders(this.store, this.entity, f, rows.map((p) => p.body[f.name]));
      for (const p of rows) {
        const hit = found.get(comparable(this.store.db.dialect.kind, p.body[f.name]));
        if (hit && hit.id !== p.id) this.issue(p, f.name, { rule: 'unique', message: `another ${this.entity.name} already has this ${f.name} (records in the recycle bin count too)` });
      }
    }
  }
}

/** Writes checked rows through the record service, in batches. */
class BatchWriter {
  constructor(
    private readonly store: RecordStore,
    private readonly entity: EntityModel,
    private readonly actor: Actor,
    private readonly bindings: readonly Binding[],
    private readonly issues: Issues,
  ) {}

  /**
   * Every row in one transaction: the first failure rolls everything back and is reported.
   * The record events are announced after the commit, a page at a time (held until then,
   * they would keep every written record in memory).
   */
  async writeAll(spool: Spool): Promise<{ created: number; updated: number }> {
    const counts = { created: 0, updated: 0 };
    const changed: Record<'created' | 'updated', number[]> = { created: [], updated: [] };
    const sink: AnnouncementSink = (kind, id) => {
      if (kind !== 'deleted') changed[kind].push(id);
    };
    try {
      await this.store.db.transaction(async (tx) => {
        for await (const batch of spool.batches(BATCH)) await this.write(tx, batch, counts, sink);
      });
    } catch (err) {
      if (!(err instanceof WriteFailure)) throw err;
      for (const i of err.issues) this.issues.add(i);
      return { created: 0, updated: 0 };
    }
    const repo = this.store.repository(this.entity.name);
    for (const kind of ['created', 'updated'] as const) {
      for (let i = 0; i < changed[kind].length; i += BATCH) {
        for (const rec of await repo.getMany(this.store.db, changed[kind].slice(i, i + BATCH))) this.store.announce(this.entity.name, kind, rec, this.actor);
        await this.store.events.idle();
      }
    }
    return counts;
  }

  /** A transaction per batch; a batch that fails is retried row by row and the failing rows are skipped. */
  async writeSkipping(spool: Spool): Promise<{ created: number; updated: number }> {
    const counts = { created: 0, updated: 0 };
    for await (const batch of spool.batches(BATCH)) {
      try {
        const c = { created: 0, updated: 0 };
        await this.store.db.transaction((tx) => this.write(tx, batch, c));
        counts.created += c.created;
        counts.updated += c.updated;
      } catch (err) {
        if (!(err instanceof WriteFailure)) throw err;
        for (const entry of batch) {
          try {
            const c = { created: 0, updated: 0 };
            await this.store.db.transaction((tx) => this.write(tx, [entry], c));
            counts.created += c.created;
            counts.updated += c.updated;
          } catch (e) {
            if (!(e instanceof WriteFailure)) throw e;
            for (const i of e.issues) this.issues.add(i);
          }
        }
      }
    }
    return counts;
  }

  private async write(tx: Executor, batch: Entry[], counts: { created: number; updated: number }, sink: AnnouncementSink | null = null): Promise<void> {
    const svc = this.store.service(this.entity.name, this.actor, tx, false, sink);
    const creates = batch.filter((e) => e.id === null);
    const updates = batch.filter((e) => e.id !== null);
    if (creates.length) {
      await this.attributed(creates, () => svc.createMany(creates.map((e) => e.b)));
      counts.created += creates.length;
    }
    if (!updates.length) return;
    const versions = await this.lockVersions(tx, updates.map((e) => e.id!));
    for (const e of updates) {
      const version = versions.get(e.id!);
      if (version === undefined) throw new WriteFailure([{ row: e.r, field: '(row)', rule: 'not-found', message: `${this.entity.name} ${e.id} no longer exists` }]);
      await this.attributed([e], () => svc.update(e.id!, e.b, { version }));
      counts.updated++;
    }
  }

  /**
   * Current versions of the records to update, locked until the transaction ends on
   * MySQL/MariaDB (a plain read there sees the transaction's snapshot, which may be older
   * than the row an UPDATE finds). An import does not compete on versions: it updates
   * whatever is current, through the service.
   */
  private async lockVersions(tx: Executor, ids: number[]): Promise<Map<number, number>> {
    const q = tx.dialect.quote;
    const sorted = [...ids].sort((a, b) => a - b);
    const rows = await tx.all<{ id: number; version: number }>(
      `SELECT ${q('id')} AS id, ${q('version')} AS version FROM ${q(this.entity.table)} WHERE ${q('id')} IN (${sorted.map(() => '?').join(', ')}) AND ${q('deleted_at')} IS NULL ORDER BY ${q('id')}${tx.dialect.kind === 'mysql' ? ' FOR UPDATE' : ''}`,
      sorted,
    );
    return new Map(rows.map((r) => [Number(r.id), Number(r.version)]));
  }

  /** Run a service write; a refusal becomes issues on the rows it names (`[i].field` in a batch). */
  private async attributed<T>(entries: Entry[], fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof PlinthError) || err.status >= 500) throw err;
      const listed: FieldError[] = err.errors.length ? [...err.errors] : [{ field: '', rule: err.code, message: err.message }];
      const issues = listed.map((e): ImportIssue => {
        const m = /^\[(\d+)\]\.?(.*)$/.exec(e.field) ?? /^\[(\d+)\]()/.exec(err.message);
        const entry = entries.length === 1 ? entries[0] : m ? entries[Number(m[1])] : undefined;
        const field = m ? m[2] : e.field;
        const b = this.bindings.find((x) => x.field.name === field);
        return {
          row: entry?.r ?? null,
          ...(b ? { column: b.letter, header: b.header } : {}),
          field: field || '(row)',
          rule: e.rule,
          message: e.message.replace(/^\[\d+\]:?\s*/, ''),
        };
      });
      throw new WriteFailure(issues);
    }
  }
}

/** A write the service refused, with the rows it concerns. */
class WriteFailure extends Error {
  constructor(readonly issues: ImportIssue[]) {
    super(issues.map((i) => i.message).join('; '));
  }
}

