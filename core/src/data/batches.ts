import type { Executor } from './database';

/**
 * How much one multi-row INSERT may carry: SQLite binds at most 32,766 parameters a
 * statement, MySQL/MariaDB take one packet of max_allowed_packet (16 MB by default on
 * MariaDB), and huge statements gain nothing over a few of moderate size.
 */
export interface BatchLimits {
  rows: number;
  params: number;
  /** Estimated bytes of the bound values. */
  bytes: number;
}

export const INSERT_LIMITS: BatchLimits = { rows: 500, params: 10_000, bytes: 4 * 1024 * 1024 };

/** Upper bound of a bound value's size in the statement (UTF-8 takes at most 3 bytes per UTF-16 unit). */
export const paramBytes = (v: unknown): number => (typeof v === 'string' ? v.length * 3 : 8);

/**
 * Consecutive runs of `items` within the limits, each holding at least one item, in order.
 * `sameRun`: items that cannot share a statement (different columns) start a new run.
 */
export function* batches<T>(
  items: readonly T[],
  measure: (item: T) => { params: number; bytes: number },
  sameRun: (a: T, b: T) => boolean = () => true,
  limits: BatchLimits = INSERT_LIMITS,
): Generator<{ start: number; items: T[] }> {
  let run: T[] = [];
  let start = 0;
  let params = 0;
  let bytes = 0;
  for (const [i, item] of items.entries()) {
    const m = measure(item);
    const full = run.length > 0 && (run.length >= limits.rows || params + m.params > limits.params || bytes + m.bytes > limits.bytes || !sameRun(run[0], item));
    if (full) {
      yield { start, items: run };
      run = [];
      start = i;
      params = 0;
      bytes = 0;
    }
    run.push(item);
    params += m.params;
    bytes += m.bytes;
  }
  if (run.length) yield { start, items: run };
}

/**
 * One multi-row INSERT of `rows` (each the values of `columns`, quoted); the ids the
 * database assigned, in row order. Runs on the writer of a transaction: SQLite answers
 * RETURNING on the connection that wrote, and MySQL's increment is a session setting.
 */
export async function insertRows(db: Executor, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<number[]> {
  const marks = `(${columns.map(() => '?').join(', ')})`;
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => marks).join(', ')}`;
  const params = rows.flat();
  if (db.dialect.insertIds === 'returning') {
    // Each row takes the next id as it is inserted, in VALUES order: ascending ids are row order.
    const ids = (await db.all<{ id: number | string }>(`${sql} RETURNING ${db.dialect.quote('id')}`, params)).map((r) => Number(r.id)).sort((a, b) => a - b);
    if (ids.length !== rows.length) throw new Error(`INSERT into ${table} returned ${ids.length} ids for ${rows.length} rows`);
    return ids;
  }
  const res = await db.run(sql, params);
  if (res.affectedRows !== rows.length) throw new Error(`INSERT into ${table} wrote ${res.affectedRows} rows of ${rows.length}`);
  const [{ step }] = await db.all<{ step: number | string }>('SELECT @@auto_increment_increment AS step');
  return rows.map((_, i) => res.insertId + i * Number(step));
}
