import type { EntitySchema } from '@mikro-orm/core';
import { SchemaComparator, type Knex } from '@mikro-orm/knex';
import type { DatabaseConfig } from '../app/config';
import { mariadbDialect, mysqlDialect, sqliteDialect, type Dialect } from './dialect';
import { SqliteExecutor } from './sqlite';

export type Row = Record<string, unknown>;

// MikroORM's schema diff takes a column that disappeared and one that appeared with the
// same definition for a rename and renames it, so the data of a removed field would move
// into an unrelated new one. A sync here never renames: an old column stays with its data
// (a plugin migration copies it with `schema.renameField`).
(SchemaComparator.prototype as unknown as { detectColumnRenamings(): void }).detectColumnRenamings = () => undefined;

export interface RunResult {
  affectedRows: number;
  insertId: number;
}

/** Runs SQL: the database itself, or one open transaction. */
export interface Executor {
  readonly dialect: Dialect;
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
  /** Run `fn` in a transaction, or inside the current one when already in a transaction. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  readonly inTransaction: boolean;
  /** Run `fn` once the current transaction has committed (at once outside a transaction; never after a rollback). */
  afterCommit(fn: () => void): void;
}

/** Callbacks of one transaction, run after its COMMIT. */
export class CommitCallbacks {
  private readonly callbacks: (() => void)[] = [];
  add(fn: () => void): void {
    this.callbacks.push(fn);
  }
  run(): void {
    for (const fn of this.callbacks.splice(0)) {
      try {
        fn();
      } catch {
        // an after-commit callback must not undo or fail a committed write
      }
    }
  }
}

interface OrmLike {
  em: { getConnection(): { getKnex(): Knex } };
  discoverEntity(entities: EntitySchema[], reset?: string[]): void;
  getMetadata(): { has(name: string): boolean };
  getSchemaGenerator(): {
    updateSchema(options?: { safe?: boolean; dropTables?: boolean }): Promise<void>;
    getUpdateSchemaSQL(options?: { safe?: boolean; dropTables?: boolean; wrap?: boolean }): Promise<string>;
    dropDatabase(name?: string): Promise<void>;
  };
  close(force?: boolean): Promise<void>;
  config: { get(key: 'dbName'): string };
}

/**
 * MySQL/MariaDB over knex's pool; knex passes bound parameters straight to mysql2. A
 * transaction takes its connection (and sends BEGIN) at its first statement: work before
 * it (validation, hook scripts in their worker processes) holds no pooled connection. The
 * result is the same as beginning earlier — InnoDB takes a transaction's snapshot and its
 * locks at its statements, not at BEGIN.
 */
class KnexExecutor implements Executor {
  constructor(
    readonly dialect: Dialect,
    private readonly knex: Knex,
    readonly inTransaction: boolean,
    private readonly commits: CommitCallbacks | null = null,
    /** Inside a transaction: its connection, opened on first use. */
    private readonly connection: (() => Promise<Knex.Transaction>) | null = null,
  ) {}

  afterCommit(fn: () => void): void {
    if (this.commits) this.commits.add(fn);
    else fn();
  }

  private async raw(sql: string, params: readonly unknown[]): Promise<unknown> {
    const target = this.connection ? await this.connection() : this.knex;
    return target.raw(sql, params as readonly Knex.RawBinding[]);
  }

  async all<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return ((await this.raw(sql, params)) as [T[]])[0];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    const [header] = (await this.raw(sql, params)) as [{ affectedRows: number; insertId: number }];
    return { affectedRows: header.affectedRows, insertId: Number(header.insertId) };
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    const commits = new CommitCallbacks();
    let opened: Promise<Knex.Transaction> | null = null;
    const connection = () => (opened ??= this.knex.transaction());
    const open = async (): Promise<Knex.Transaction | null> => (opened ? opened.catch(() => null) : null);
    let result: T;
    try {
      result = await fn(new KnexExecutor(this.dialect, this.knex, true, commits, connection));
    } catch (err) {
      await (await open())?.rollback().catch(() => undefined);
      throw err;
    }
    const trx = await open();
    if (opened && !trx) await opened; // opening failed: its error
    if (trx) await trx.commit();
    commits.run();
    return result;
  }
}

const ADD_COLUMN = /^(alter table `([^`]+)` add column `([^`]+)` .*?)( constraint `([^`]+)` references .*)?$/;

/**
 * MikroORM 6.6's SQLite differ, adding several columns to a table at once, can put a new
 * foreign key's `constraint … references …` clause on another of the new columns (seen:
 * on the first one). Each clause is named `<table>_<column>_foreign`: move it to its column.
 */
export function reattachSqliteForeignKeys(statements: readonly string[]): string[] {
  const clauses = new Map<string, string>();
  const parsed = statements.map((s) => {
    const m = ADD_COLUMN.exec(s);
    if (m?.[4]) clauses.set(m[5], m[4]);
    return m ? { table: m[2], column: m[3], bare: m[1] } : null;
  });
  return statements.map((s, i) => {
    const p = parsed[i];
    if (!p) return s;
    const clause = clauses.get(`${p.table}_${p.column}_foreign`);
    return clause ? `${p.bare}${clause}` : p.bare;
  });
}

/**
 * The database: MikroORM builds and updates the schema from EntitySchemas derived from
 * metadata; the record paths run compiled SQL through an `Executor` (no per-request
 * hydration): on MySQL/MariaDB over the pool MikroORM opened, on the embedded database
 * over our own reader/writer connections with cached prepared statements.
 */
export class Database implements Executor {
  readonly dialect: Dialect;
  private readonly root: Executor;
  readonly inTransaction = false;

  private constructor(
    readonly config: DatabaseConfig,
    private readonly orm: OrmLike,
    mysqlServer: 'mysql' | 'mariadb' = 'mysql',
  ) {
    this.dialect = config.kind === 'sqlite' ? sqliteDialect : mysqlServer === 'mariadb' ? mariadbDialect : mysqlDialect;
    this.root = config.kind === 'mysql' ? new KnexExecutor(this.dialect, orm.em.getConnection().getKnex(), false) : SqliteExecutor.open(config.url);
  }

  static async open(config: DatabaseConfig, schemas: EntitySchema[]): Promise<Database> {
    const common = {
      entities: schemas,
      discovery: { warnWhenNoEntities: false },
      allowGlobalContext: true,
      debug: false,
      ensureDatabase: true,
    };
    if (config.kind === 'sqlite') {
      const { MikroORM } = await import('@mikro-orm/libsql');
      return new Database(config, (await MikroORM.init({ ...common, dbName: config.url })) as unknown as OrmLike);
    }
    const { MikroORM } = await import('@mikro-orm/mysql');
    const orm = (await MikroORM.init({
      ...common,
      clientUrl: config.url,
      pool: { min: 0, max: config.poolSize },
      charset: 'utf8mb4',
      timezone: 'Z',
    })) as unknown as OrmLike;
    const [[{ version }]] = (await orm.em.getConnection().getKnex().raw('SELECT VERSION() AS version')) as [[{ version: string }]];
    return new Database(config, orm, /mariadb/i.test(version) ? 'mariadb' : 'mysql');
  }

  /** Create missing tables, columns and indexes. Never drops anything (data outlives plugins). */
  async syncSchema(): Promise<void> {
    await this.orm.getSchemaGenerator().updateSchema({ safe: true, dropTables: false });
  }

  /**
   * The statements that bring the database up to `schemas` (which replace the schemas of
   * the same names; the others stay): additive only — tables, columns, indexes — never a
   * drop of a table or column. Run them with `runDdl`.
   */
  async schemaChangesFor(schemas: EntitySchema[]): Promise<string[]> {
    const metadata = this.orm.getMetadata();
    const names = schemas.map((s) => s.meta.className);
    this.orm.discoverEntity(schemas, names.filter((n) => metadata.has(n)));
    const sql = await this.orm.getSchemaGenerator().getUpdateSchemaSQL({ safe: true, dropTables: false, wrap: false });
    const statements = sql
      .split(/;\s*\n/)
      .map((s) => s.trim().replace(/;$/, ''))
      .filter((s) => s !== '' && !/^set (names|foreign_key_checks)/i.test(s) && !/^pragma /i.test(s));
    return this.config.kind === 'sqlite' ? reattachSqliteForeignKeys(statements) : statements;
  }

  /** The DDL a sync would run now; empty when the database matches the metadata. */
  async pendingSchemaChanges(): Promise<string> {
    return (await this.orm.getSchemaGenerator().getUpdateSchemaSQL({ safe: true, dropTables: false })).replace(/^set names \w+;\s*/i, '').trim();
  }

  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.root.all<T>(sql, params);
  }

  run(sql: string, params?: readonly unknown[]): Promise<RunResult> {
    return this.root.run(sql, params);
  }

  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return this.root.transaction(fn);
  }

  afterCommit(fn: () => void): void {
    this.root.afterCommit(fn);
  }

  async ping(): Promise<void> {
    await this.all('SELECT 1 AS ok');
  }

  /** Drop the whole database (tests only: a fresh database per run). */
  async dropDatabase(): Promise<void> {
    if (this.config.kind === 'mysql') await this.orm.getSchemaGenerator().dropDatabase(this.orm.config.get('dbName'));
  }

  async close(): Promise<void> {
    if (this.root instanceof SqliteExecutor) this.root.close();
    await this.orm.close(true);
  }
}
