import type { EntitySchema } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import type { DatabaseConfig } from '../app/config';
import { mysqlDialect, sqliteDialect, type Dialect } from './dialect';
import { SqliteExecutor } from './sqlite';

export type Row = Record<string, unknown>;

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
  getSchemaGenerator(): {
    updateSchema(options?: { safe?: boolean; dropTables?: boolean }): Promise<void>;
    getUpdateSchemaSQL(options?: { safe?: boolean; dropTables?: boolean }): Promise<string>;
    dropDatabase(name?: string): Promise<void>;
  };
  close(force?: boolean): Promise<void>;
  config: { get(key: 'dbName'): string };
}

/** MySQL/MariaDB over knex's pool; knex passes bound parameters straight to mysql2. */
class KnexExecutor implements Executor {
  constructor(
    readonly dialect: Dialect,
    private readonly knex: Knex | Knex.Transaction,
    readonly inTransaction: boolean,
    private readonly commits: CommitCallbacks | null = null,
  ) {}

  afterCommit(fn: () => void): void {
    if (this.commits) this.commits.add(fn);
    else fn();
  }

  async all<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return ((await this.knex.raw(sql, params as readonly Knex.RawBinding[])) as [T[]])[0];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    const [header] = (await this.knex.raw(sql, params as readonly Knex.RawBinding[])) as [{ affectedRows: number; insertId: number }];
    return { affectedRows: header.affectedRows, insertId: Number(header.insertId) };
  }

  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    const commits = new CommitCallbacks();
    return this.knex.transaction((trx) => fn(new KnexExecutor(this.dialect, trx, true, commits))).then((result) => {
      commits.run();
      return result;
    });
  }
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
  ) {
    this.dialect = config.kind === 'mysql' ? mysqlDialect : sqliteDialect;
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
    let orm: OrmLike;
    if (config.kind === 'mysql') {
      const { MikroORM } = await import('@mikro-orm/mysql');
      orm = (await MikroORM.init({
        ...common,
        clientUrl: config.url,
        pool: { min: 0, max: config.poolSize },
        charset: 'utf8mb4',
        timezone: 'Z',
      })) as unknown as OrmLike;
    } else {
      const { MikroORM } = await import('@mikro-orm/libsql');
      orm = (await MikroORM.init({ ...common, dbName: config.url })) as unknown as OrmLike;
    }
    return new Database(config, orm);
  }

  /** Create missing tables, columns and indexes. Never drops anything (data outlives plugins). */
  async syncSchema(): Promise<void> {
    await this.orm.getSchemaGenerator().updateSchema({ safe: true, dropTables: false });
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
