import type { EntityModel, FieldModel } from '../meta/model';
import type { ListPlan, Expansion } from '../query/list';
import type { Sql } from '../query/filter';
import type { Executor, Row } from './database';
import { rowDecoder, encode } from './codec';
import type { Keyring } from '../crypto/keyring';

export type RecordData = Record<string, unknown>;

/**
 * SQL for one entity, built once per metadata version: select lists, decoders and the
 * statements of the hot paths are strings ready to bind.
 */
export class EntityRepository {
  private readonly q: (id: string) => string;
  private readonly table: string;
  private readonly decoders = new Map<string, (row: Row) => RecordData>();
  private readonly getSql: string;
  private readonly fullSelect: string;
  private readonly readable: readonly FieldModel[];

  constructor(
    readonly entity: EntityModel,
    quote: (id: string) => string,
    private readonly keyring: Keyring | null = null,
  ) {
    this.q = quote;
    this.table = quote(entity.table);
    this.readable = entity.columns.filter((f) => f.name !== 'deletedAt' && f.name !== 'deletedBy');
    this.fullSelect = this.selectList(this.readable, 't');
    this.getSql = `SELECT ${this.fullSelect} FROM ${this.table} t WHERE t.${quote('id')} = ? AND t.${quote('deleted_at')} IS NULL`;
  }

  selectList(fields: readonly FieldModel[], alias: string): string {
    return fields.map((f) => `${alias}.${this.q(f.column)} AS ${this.q(f.name)}`).join(', ');
  }

  decoder(fields: readonly FieldModel[]): (row: Row) => RecordData {
    const key = fields.map((f) => f.name).join(',');
    let d = this.decoders.get(key);
    if (!d) {
      d = rowDecoder(fields, this.keyring ? (v) => this.keyring!.decrypt(v) : null);
      this.decoders.set(key, d);
    }
    return d;
  }

  get readableFields(): readonly FieldModel[] {
    return this.readable;
  }

  async get(db: Executor, id: number, fields?: readonly FieldModel[]): Promise<RecordData | null> {
    const sql = fields ? `SELECT ${this.selectList(fields, 't')} FROM ${this.table} t WHERE t.${this.q('id')} = ? AND t.${this.q('deleted_at')} IS NULL` : this.getSql;
    const rows = await db.all(sql, [id]);
    return rows.length ? this.decoder(fields ?? this.readable)(rows[0]) : null;
  }

  /** Several live records by id, in the order of `ids`. */
  async getMany(db: Executor, ids: readonly number[]): Promise<RecordData[]> {
    if (ids.length === 0) return [];
    const rows = await db.all(`SELECT ${this.fullSelect} FROM ${this.table} t WHERE t.${this.q('id')} IN (${ids.map(() => '?').join(', ')}) AND t.${this.q('deleted_at')} IS NULL`, ids);
    const decode = this.decoder(this.readable);
    const byId = new Map(rows.map((r) => [Number(r.id), decode(r)]));
    return ids.map((id) => byId.get(id)).filter((r): r is RecordData => r !== undefined);
  }

  /** Version and deletion state, whatever the row's state: tells 404 from 409. */
  async state(db: Executor, id: number): Promise<{ version: number; deleted: boolean } | null> {
    const rows = await db.all<{ version: number; deleted_at: unknown }>(`SELECT version, deleted_at FROM ${this.table} WHERE id = ?`, [id]);
    return rows.length ? { version: Number(rows[0].version), deleted: rows[0].deleted_at !== null } : null;
  }

  /** Rows of the page plus the raw rows (for cursors), and the total when asked. */
  async list(db: Executor, plan: ListPlan): Promise<{ rows: Row[]; total?: number }> {
    const q = this.q;
    const order = plan.sort.map((k) => `t.${q(k.field.column)} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');
    // MySQL/MariaDB: find the page's ids first (the optimizer then picks a covering index
    // for filter, scope and order), then read those rows by primary key. Selecting all
    // columns directly makes it favour an index on the sort column and visit every row.
    const sql =
      db.dialect.kind === 'mysql'
        ? `SELECT ${this.selectList(plan.selected, 't')} FROM ${this.table} t JOIN (SELECT t.${q('id')} FROM ${this.table} t WHERE ${plan.where.text} ORDER BY ${order} LIMIT ? OFFSET ?) k ON k.${q('id')} = t.${q('id')} ORDER BY ${order}`
        : `SELECT ${this.selectList(plan.selected, 't')} FROM ${this.table} t WHERE ${plan.where.text} ORDER BY ${order} LIMIT ? OFFSET ?`;
    const page = db.all(sql, [...plan.where.params, plan.limit + 1, plan.cursor ? 0 : plan.offset]);
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
      const rows = await db.all(
        `SELECT ${this.selectList(fields, 'e')} FROM ${targetTable} e WHERE e.${q(x.foreignKey.column)} IN (${marks}) AND ${x.where.text} ORDER BY e.${q('id')} LIMIT ?`,
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
    const rows = await db.all(`SELECT ${this.selectList(x.fields, 'e')} FROM ${targetTable} e WHERE e.${q('id')} IN (${marks}) AND ${x.where.text}`, [...keys, ...x.where.params]);
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

  async insert(db: Executor, values: ReadonlyMap<FieldModel, unknown>): Promise<number> {
    const cols: string[] = [];
    const params: unknown[] = [];
    for (const [f, v] of values) {
      for (const [column, value] of this.columnValues(f, v)) {
        cols.push(this.q(column));
        params.push(value);
      }
    }
    const res = await db.run(`INSERT INTO ${this.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, params);
    await this.writeJoinRows(db, res.insertId, values, false);
    return res.insertId;
  }

  /** Mirror multi-valued fields into their join tables (the record's column holds the array). */
  private async writeJoinRows(db: Executor, id: number, values: ReadonlyMap<FieldModel, unknown>, replace: boolean): Promise<void> {
    for (const [f, v] of values) {
      if (!f.multiple) continue;
      const table = this.q(f.joinTable);
      if (replace) await db.run(`DELETE FROM ${table} WHERE ${this.q('record_id')} = ?`, [id]);
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
    await this.writeJoinRows(db, id, values, true);
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
