/** What differs between the databases we support, in one place. */
export interface Dialect {
  kind: 'sqlite' | 'mysql';
  quote(identifier: string): string;
  /** `LIKE ? ESCAPE '\'` with the escape the dialect needs. */
  likeEscape: string;
  /** Map a driver error to what it means, if we know. */
  classify(err: unknown): DbErrorInfo | null;
  /**
   * How a multi-row INSERT tells the ids it assigned: `returning` — `INSERT … RETURNING id`
   * (SQLite, MariaDB 10.5+); `consecutive` — MySQL reports the first, and the others follow
   * it by `@@auto_increment_increment` (InnoDB gives a "simple insert", whose row count is
   * known up front, consecutive values in every innodb_autoinc_lock_mode).
   */
  insertIds: 'returning' | 'consecutive';
}

export type DbErrorInfo =
  | { kind: 'unique'; index: string | null; table: string | null; columns: string[] }
  | { kind: 'foreignKey'; direction: 'missing-parent' | 'has-children' | 'unknown' };

interface DriverError {
  code?: string;
  errno?: number;
  message?: string;
  sqlMessage?: string;
}

const asDriverError = (err: unknown): DriverError => (typeof err === 'object' && err !== null ? (err as DriverError) : {});

export const mysqlDialect: Dialect = {
  kind: 'mysql',
  quote: (id) => '`' + id.replace(/`/g, '``') + '`',
  likeEscape: "ESCAPE '\\\\'",
  classify(err) {
    const e = asDriverError(err);
    const message = e.sqlMessage ?? e.message ?? '';
    if (e.errno === 1062 || e.code === 'ER_DUP_ENTRY') {
      const m = /for key '(?:[^'.]*\.)?([^']+)'/.exec(message);
      return { kind: 'unique', index: m ? m[1] : null, table: null, columns: [] };
    }
    if (e.errno === 1452) return { kind: 'foreignKey', direction: 'missing-parent' };
    if (e.errno === 1451) return { kind: 'foreignKey', direction: 'has-children' };
    return null;
  },
  insertIds: 'consecutive',
};

/** MariaDB: MySQL's dialect, with INSERT … RETURNING. */
export const mariadbDialect: Dialect = { ...mysqlDialect, insertIds: 'returning' };

export const sqliteDialect: Dialect = {
  kind: 'sqlite',
  quote: (id) => '"' + id.replace(/"/g, '""') + '"',
  likeEscape: "ESCAPE '\\'",
  classify(err) {
    const e = asDriverError(err);
    const message = e.message ?? '';
    // "UNIQUE constraint failed: t.a, t.b" for a composite index
    const unique = /UNIQUE constraint failed: ([^\s,]+(?:,\s*[^\s,]+)*)/.exec(message);
    if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || unique) {
      const cols = unique ? unique[1].split(',').map((s) => s.trim()) : [];
      const table = cols[0]?.split('.')[0] ?? null;
      return { kind: 'unique', index: null, table, columns: cols.map((c) => c.split('.')[1] ?? c) };
    }
    if (e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || /FOREIGN KEY constraint failed/.test(message)) {
      return { kind: 'foreignKey', direction: 'unknown' };
    }
    return null;
  },
  insertIds: 'returning',
};
