import type { EntityModel, FieldModel } from '../meta/model';
import type { ListPlan, Expansion } from '../query/list';
import type { Sql } from '../query/filter';
import type { Executor, Row } from './database';
import type { Dialect } from './dialect';
import { rowDecoder, encode } from './codec';
import { packedSelect } from './packed';
import { renderedArray, renderedSelect, type JsonText, type RenderedSelect } from './rendered';
import { decimalShape } from './schema';
import { batches, insertRows, paramBytes } from './batches';
import type { Keyring } from '../crypto/keyring';

export type RecordData = Record<string, unknown>;

/** The database refused the row at `index` of an insertMany (`cause`: the driver's error, which the dialect classifies). */
export class RowInsertError extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`row ${index}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Alias prefix of the sort columns a rendered page selects besides its JSON. */
const SORT_VALUE = 'plinth_sort_';

/** Field lists remembered per repository (clients choose them with `fields=`: keep the maps bounded). */
const MAX_CACHED = 256;

function remember<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, (value = make()));
  }
  return value;
}

/** A select list for some fields, and how its rows become rows keyed by field name. */
interface Selection {
  list: string;
  unpack: ((row: Row) => Row) | null;
}

/**
 * SQL for one entity, built once per metadata version: select lists, decoders and the
 * statements of the hot paths are strings ready to bind.
 */
export class EntityRepository {
  private readonly q: (id: string) => string;
  private readonly table: string;
  private readonly decoders = new Map<string, (row: Row) => RecordData>();
  private readonly selections = new Map<string, Selection>();
  private readonly renderings = new Map<string, RenderedSelect | null>();
  private readonly readable: readonly FieldModel[];

  constructor(
    readonly entity: EntityModel,
    private readonly dialect: Dialect,
    private readonly keyring: Keyring | null = null,
  ) {
    this.q = dialect.quote;
    this.table = this.q(entity.table);
    this.readable = entity.columns.filter((f) => f.name !== 'deletedAt' && f.name !== 'deletedBy');
  }

  /** `alias.column AS name, …` (plain; what other modules join into their own SQL). */
  selectList(fields: readonly FieldModel[], alias: string): string {
    return fields.map((f) => `${alias}.${this.q(f.column)} AS ${this.q(f.name)}`).join(', ');
  }

  /**
   * How this repository selects `fields`: each row packed into one JSON array (./packed.ts),
   * unpacked into values keyed by field name. On the embedded database this skips libsql's
   * per-cell conversion; on MySQL/MariaDB mysql2's per-column metadata and parsing (a list of
   * wide rows cost ~30 % less server CPU, and 20 custom fields cost 0.87 of none, not 0.74).
   */
  private selection(fields: readonly FieldModel[], alias: string): Selection {
    return remember(this.selections, `${alias}:${fields.map((f) => f.name).join(',')}`, () => {
      const wideReal = (f: FieldModel) => (f.type === 'decimal' || f.type === 'money') && decimalShape(f).precision > 15;
      return packedSelect(fields.map((f) => ({ expr: `${alias}.${this.q(f.column)}`, name: f.name, wideReal: wideReal(f) })), this.dialect.kind === 'sqlite' ? 'sqlite' : 'mysql');
    });
  }

  /** `SELECT <fields> <rest>`: rows keyed by field name. */
  private async select(db: Executor, fields: readonly FieldModel[], alias: string, rest: string, params: readonly unknown[]): Promise<Row[]> {
    const s = this.selection(fields, alias);
    const rows = await db.all(`SELECT ${s.list} ${rest}`, params);
    return s.unpack ? rows.map(s.unpack) : rows;
  }

  decoder(fields: readonly FieldModel[]): (row: Row) => RecordData {
    return remember(this.decoders, fields.map((f) => f.name).join(','), () => rowDecoder(fields, this.keyring ? (v) => this.keyring!.decrypt(v) : null));
  }

  get readableFields(): readonly FieldModel[] {
    return this.readable;
  }

  async get(db: Executor, id: number, fields?: readonly FieldModel[]): Promise<RecordData | null> {
    const wanted = fields ?? this.readable;
    const rows = await this.select(db, wanted, 't', `FROM ${this.table} t WHERE t.${this.q('id')} = ? AND t.${this.q('deleted_at')} IS NULL`, [id]);
    return rows.length ? this.decoder(wanted)(rows[0]) : null;
  }

  /** Several live records by id, in the order of `ids`. */
  async getMany(db: Executor, ids: readonly number[]): Promise<RecordData[]> {
    if (ids.length === 0) return [];
    const rows = await this.select(db, this.readable, 't', `FROM ${this.table} t WHERE t.${this.q('id')} IN (${ids.map(() => '?').join(', ')}) AND t.${this.q('deleted_at')} IS NULL`, ids);
    const decode = this.decoder(this.readable);
    const byId = new Map(rows.map((r) => [Number(r.id), decode(r)]));
    return ids.map((id) => byId.get(id)).filter((r): r is RecordData => r !== undefined);
  }

  /** Version and deletion state, whatever the row's state: tells 404 from 409. */
  async state(db: Executor, id: number): Promise<{ version: number; deleted: boolean } | null> {
    const rows = await db.all<{ version: number; deleted_at: unknown }>(`SELECT version, deleted_at FROM ${this.table} WHERE id = ?`, [id]);
    return rows.length ? { version: Number(rows[0].version), deleted: rows[0].deleted_at !== null } : null;
  }

  /** Rows of the page (keyed by field name, not decoded: cursors use the stored values), and the total when asked. */
  async list(db: Executor, plan: ListPlan): Promise<{ rows: Row[]; total?: number }> {
    const s = this.selection(plan.selected, 't');
    const { rows, total } = await this.page(db, plan, s.list);
    return { rows: s.unpack ? rows.map(s.unpack) : rows, total };
  }

  /**
   * The page's records as a JSON array rendered by the database (./rendered.ts), the stored
   * sort values of its last row (for the cursor), and the total when asked. Null where the
   * database does not render them: MySQL/MariaDB, or encrypted fields without a keyring.
   */
  async listRendered(db: Executor, plan: ListPlan): Promise<{ records: JsonText; last: Row | null; total?: number } | null> {
    const s = this.rendering(plan);
    if (!s) return null;
    const { rows, total } = await this.page(db, plan, s.list);
    const more = rows.length > plan.limit;
    const page = more ? rows.slice(0, plan.limit) : rows;
    const lastRow = page[page.length - 1];
    const last = more ? Object.fromEntries(plan.sort.map((k, i) => [k.field.name, lastRow[`${SORT_VALUE}${i}`]])) : null;
    return { records: renderedArray(page, s.render), last, total };
  }

  /** The rendered select of the plan's output, and its sort columns' stored values (for the cursor). */
  private rendering(plan: ListPlan): RenderedSelect | null {
    if (this.dialect.kind !== 'sqlite') return null;
    const key = `${plan.output.map((f) => f.name).join(',')}|${plan.sort.map((k) => k.field.name).join(',')}`;
    return remember(this.renderings, key, () => {
      const s = renderedSelect(plan.output, 't', this.q, this.keyring ? (v) => this.keyring!.decrypt(v) : null);
      return s && { ...s, list: `${s.list}, ${plan.sort.map((k, i) => `t.${this.q(k.field.column)} AS ${SORT_VALUE}${i}`).join(', ')}` };
    });
  }

  /** `SELECT <list>` of the plan's page (one row more than its limit: tells whether more follow), and the total when asked. */
  private async page(db: Executor, plan: ListPlan, list: string): Promise<{ rows: Row[]; total?: number }> {
    const q = this.q;
    const order = plan.sort.map((k) => `t.${q(k.field.column)} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');
    // Find the page's ids first, then read those rows by primary key. MySQL/MariaDB: the
    // optimizer then picks a covering index for filter, scope and order (selecting all
    // columns directly makes it favour an index on the sort column and visit every row).
    // SQLite: when the index gives the order only in part (a sort over rows of equal
    // created_at, say), the sorter would carry every selected column of every candidate
    // row; this way it carries ids, and only the page's rows are read and packed.
    const page = db.all(
      `SELECT ${list} FROM ${this.table} t JOIN (SELECT t.${q('id')} FROM ${this.table} t WHERE ${plan.where.text} ORDER BY ${order} LIMIT ? OFFSET ?) k ON k.${q('id')} = t.${q('id')} ORDER BY ${order}`,
      [...plan.where.params, plan.limit + 1, plan.cursor ? 0 : plan.offset],
    );
    if (!plan.count) return { rows: await page };
    const countSql = `SELECT COUNT(*) AS n FROM ${this.table} t WHERE ${plan.where.text}`;
    const [rows, count] = await Promise.all([page, db.all<{ n: number | string }>(countSql, plan.where.params)]);
    return { rows, total: Number(count[0].n) };
  }

  async count(db: Executor, where: { text: string; params: unknown[] }): Promise<number> {
    const rows = await db.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${this.table} t WHERE ${where.text}`, where.params);
    return Number(rows[0].n);
  }

  /** Fetch the records an expansion embeds, keyed by the value that links them. */
  async expand(db: Executor, x: Expansion, keys: readonly number[]): Promise<Map<number, RecordData | RecordData[]>> {
    const q = this.q;
    const out = new Map<number, RecordData | RecordData[]>();
    if (keys.length === 0) return out;
    const targetTable = q(x.target.table);
    const marks = keys.map(() => '?').join(', ');
    if (x.foreignKey) {
      const fields = x.fields.includes(x.foreignKey) ? x.fields : [...x.fields, x.foreignKey];
      const rows = await this.select(
        db, fields, 'e',
        `FROM ${targetTable} e WHERE e.${q(x.foreignKey.column)} IN (${marks}) AND ${x.where.text} ORDER BY e.${q('id')} LIMIT ?`,
        [...keys, ...x.where.params, keys.length * 100],
      );
      const decode = this.decoder(fields);
      for (const row of rows) {
        const rec = decode(row);
        const parent = rec[x.foreignKey.name] as number;
        const list = (out.get(parent) as RecordData[] | undefined) ?? [];
        if (list.length < 100) list.push(x.fields.includes(x.foreignKey) ? rec : omit(rec, x.foreignKey.name));
        out.set(parent, list);
      }
      return out;
    }
    const rows = await this.select(db, x.fields, 'e', `FROM ${targetTable} e WHERE e.${q('id')} IN (${marks}) AND ${x.where.text}`, [...keys, ...x.where.params]);
    const decode = this.decoder(x.fields);
    for (const row of rows) {
      const rec = decode(row);
      out.set(rec.id as number, rec);
    }
    return out;
  }

  /** Column/value pairs of one field; an encrypted one writes its ciphertext and blind index. */
  columnValues(f: FieldModel, v: unknown): [string, unknown][] {
    if (!f.encrypted) return [[f.column, encode(f, v)]];
    if (!this.keyring) throw new Error(`Field ${this.entity.name}.${f.name} is encrypted but no keyring is configured`);
    if (v === null || v === undefined) return [[f.column, null], [f.indexColumn, null]];
    return [[f.column, this.keyring.encrypt(String(v))], [f.indexColumn, this.keyring.blindIndex(String(v))]];
  }

  /**
   * Insert records, several to a statement (consecutive rows with the same columns, within
   * INSERT_LIMITS), with their join-table rows; the ids in row order. A row the database
   * refuses (unique, foreign key: what the dialect classifies) is found by retrying its
   * statement row by row and reported as a RowInsertError with its index; the rows before
   * it stay written, for the caller's transaction to keep or roll back.
   */
  async insertMany(db: Executor, records: readonly ReadonlyMap<FieldModel, unknown>[]): Promise<number[]> {
    const rows = records.map((values) => {
      const columns: string[] = [];
      const params: unknown[] = [];
      for (const [f, v] of values) {
        for (const [column, value] of this.columnValues(f, v)) {
          columns.push(this.q(column));
          params.push(value);
        }
      }
      return { columns, params, key: columns.join(',') };
    });
    return db.transaction(async (tx) => {
      const ids: number[] = [];
      const measure = (r: (typeof rows)[number]) => ({ params: r.params.length, bytes: r.params.reduce<number>((n, v) => n + paramBytes(v), 0) });
      for (const run of batches(rows, measure, (a, b) => a.key === b.key)) {
        ids.push(...(await this.insertRun(tx, run.start, run.items)));
      }
      await this.insertJoinRows(tx, ids, records);
      return ids;
    });
  }

  private async insertRun(db: Executor, start: number, rows: readonly { columns: string[]; params: unknown[] }[]): Promise<number[]> {
    if (rows.length > 1) {
      try {
        return await insertRows(db, this.table, rows[0].columns, rows.map((r) => r.params));
      } catch (err) {
        if (!db.dialect.classify(err)) throw err;
        // Refused as a whole (the statement changed nothing): find the row, one at a time.
      }
    }
    const ids: number[] = [];
    for (const [i, row] of rows.entries()) {
      try {
        ids.push((await db.run(`INSERT INTO ${this.table} (${row.columns.join(', ')}) VALUES (${row.columns.map(() => '?').join(', ')})`, row.params)).insertId);
      } catch (err) {
        throw db.dialect.classify(err) ? new RowInsertError(start + i, err) : err;
      }
    }
    return ids;
  }

  /** The join-table rows of new records' multi-valued fields, several to a statement. */
  private async insertJoinRows(db: Executor, ids: readonly number[], records: readonly ReadonlyMap<FieldModel, unknown>[]): Promise<void> {
    for (const f of this.entity.columns) {
      if (!f.multiple) continue;
      const rows: unknown[][] = [];
      records.forEach((values, i) => {
        const list = values.get(f);
        if (Array.isArray(list)) list.forEach((value, position) => rows.push([ids[i], value, position]));
      });
      const columns = [this.q('record_id'), this.q('value'), this.q('position')];
      for (const run of batches(rows, (r) => ({ params: 3, bytes: r.reduce<number>((n, v) => n + paramBytes(v), 0) }))) {
        await db.run(`INSERT INTO ${this.q(f.joinTable)} (${columns.join(', ')}) VALUES ${run.items.map(() => '(?, ?, ?)').join(', ')}`, run.items.flat());
      }
    }
  }

  /** Mirror an update's multi-valued fields into their join tables (the record's column holds the array). */
  private async replaceJoinRows(db: Executor, id: number, values: ReadonlyMap<FieldModel, unknown>): Promise<void> {
    for (const [f, v] of values) {
      if (!f.multiple) continue;
      const table = this.q(f.joinTable);
      await db.run(`DELETE FROM ${table} WHERE ${this.q('record_id')} = ?`, [id]);
      const list = Array.isArray(v) ? v : [];
      if (list.length === 0) continue;
      await db.run(
        `INSERT INTO ${table} (${this.q('record_id')}, ${this.q('value')}, ${this.q('position')}) VALUES ${list.map(() => '(?, ?, ?)').join(', ')}`,
        list.flatMap((value, i) => [id, value, i]),
      );
    }
  }

  /** Conditional update: only when the version still matches. Returns whether a row changed. */
  async update(db: Executor, id: number, version: number, values: ReadonlyMap<FieldModel, unknown>): Promise<boolean> {
    const sets: string[] = [`${this.q('version')} = ${this.q('version')} + 1`];
    const params: unknown[] = [];
    for (const [f, v] of values) {
      for (const [column, value] of this.columnValues(f, v)) {
        sets.push(`${this.q(column)} = ?`);
        params.push(value);
      }
    }
    const res = await db.run(
      `UPDATE ${this.table} SET ${sets.join(', ')} WHERE ${this.q('id')} = ? AND ${this.q('version')} = ? AND ${this.q('deleted_at')} IS NULL`,
      [...params, id, version],
    );
    if (res.affectedRows !== 1) return false;
    await this.replaceJoinRows(db, id, values);
    return true;
  }

  async softDelete(db: Executor, id: number, by: number | null, at: string): Promise<boolean> {
    const res = await db.run(`UPDATE ${this.table} SET deleted_at = ?, deleted_by = ?, version = version + 1 WHERE id = ? AND deleted_at IS NULL`, [at, by, id]);
    return res.affectedRows === 1;
  }

  async restore(db: Executor, id: number, by: number | null, at: string): Promise<boolean> {
    const res = await db.run(
      `UPDATE ${this.table} SET deleted_at = NULL, deleted_by = NULL, updated_at = ?, updated_by = ?, version = version + 1 WHERE id = ? AND deleted_at IS NOT NULL`,
      [at, by, id],
    );
    return res.affectedRows === 1;
  }

  async purge(db: Executor, id: number): Promise<boolean> {
    const res = await db.run(`DELETE FROM ${this.table} WHERE id = ? AND deleted_at IS NOT NULL`, [id]);
    if (res.affectedRows !== 1) return false;
    for (const f of this.entity.columns) if (f.multiple) await db.run(`DELETE FROM ${this.q(f.joinTable)} WHERE ${this.q('record_id')} = ?`, [id]);
    return true;
  }

  /** Which of `ids` meet `where` (alias t). */
  async matching(db: Executor, ids: readonly number[], where: Sql): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await db.all<{ id: number }>(`SELECT t.id FROM ${this.table} t WHERE t.id IN (${ids.map(() => '?').join(', ')}) AND (${where.text})`, [...ids, ...where.params]);
    return new Set(rows.map((r) => Number(r.id)));
  }

  /** Which of `ids` are live records of this entity. */
  async existing(db: Executor, ids: readonly number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await db.all<{ id: number }>(`SELECT id FROM ${this.table} WHERE id IN (${ids.map(() => '?').join(', ')}) AND deleted_at IS NULL`, ids);
    return new Set(rows.map((r) => Number(r.id)));
  }
}

function omit(rec: RecordData, key: string): RecordData {
  const { [key]: _drop, ...rest } = rec;
  return rest;
}
