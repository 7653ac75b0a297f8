import LibSql from 'libsql';
import { CommitCallbacks, type Executor, type Row, type RunResult } from './database';
import { sqliteDialect } from './dialect';

type Db = InstanceType<typeof LibSql>;
interface Statement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

const STATEMENT_CACHE = 500;

/** One libsql connection with its pragmas and a prepared-statement cache. */
class Connection {
  private db: Db;
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly file: string) {
    this.db = Connection.open(file);
  }

  private static open(file: string): Db {
    const db = new LibSql(file);
    // Per connection: these do not persist in the file (journal_mode does).
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA synchronous = NORMAL');
    return db;
  }

  private statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql) as unknown as Statement;
      if (this.statements.size >= STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(sql, s);
    }
    return s;
  }

  all<T>(sql: string, params: readonly unknown[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }

  run(sql: string, params: readonly unknown[]): RunResult {
    const r = this.statement(sql).run(...params);
    return { affectedRows: r.changes, insertId: Number(r.lastInsertRowid) };
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /** Replace a connection left in an unknown state (e.g. a failed ROLLBACK). */
  reset(): void {
    try {
      this.db.close();
    } catch {
      // already unusable
    }
    this.statements.clear();
    this.db = Connection.open(this.file);
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }
}

/** Serialises writers: SQLite has one writer at a time, and a transaction spans awaits. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => next);
    await previous;
    return release;
  }
}

/** The open transaction's hold on the writer: taken at its first statement. */
class WriterHold {
  private begun: Promise<void> | null = null;
  private release: (() => void) | null = null;

  constructor(
    private readonly writer: Connection,
    private readonly mutex: Mutex,
  ) {}

  /** Wait for the writer and BEGIN IMMEDIATE, once. */
  begin(): Promise<void> {
    this.begun ??= (async () => {
      const release = await this.mutex.lock();
      try {
        this.writer.exec('BEGIN IMMEDIATE');
      } catch (err) {
        release();
        throw err;
      }
      this.release = release;
    })();
    return this.begun;
  }

  /** Whether a statement ran (or is about to): there is something to commit or roll back. */
  async held(): Promise<boolean> {
    if (!this.begun) return false;
    await this.begun.catch(() => undefined);
    return this.release !== null;
  }

  free(): void {
    const release = this.release;
    this.release = null;
    release?.();
  }
}

/**
 * The embedded database's executor. Reads outside transactions use a reader connection
 * (WAL: they see the last committed state, never another request's open transaction);
 * writes and transactions use one writer connection, one transaction at a time, begun
 * IMMEDIATE so a transaction never fails half-way on a lock upgrade. A transaction takes
 * the writer at its first statement, not before: work before it (validation, hook
 * scripts in their worker processes) does not hold up the other writers.
 */
export class SqliteExecutor implements Executor {
  readonly dialect = sqliteDialect;
  readonly inTransaction: boolean;

  private constructor(
    private readonly reader: Connection,
    private readonly writer: Connection,
    private readonly mutex: Mutex,
    inTransaction: boolean,
    private readonly commits: CommitCallbacks | null = null,
    private readonly hold: WriterHold | null = null,
  ) {
    this.inTransaction = inTransaction;
  }

  afterCommit(fn: () => void): void {
    if (this.commits) this.commits.add(fn);
    else fn();
  }

  static open(file: string): SqliteExecutor {
    const writer = new Connection(file);
    writer.exec('PRAGMA journal_mode = WAL');
    const reader = file === ':memory:' ? writer : new Connection(file);
    return new SqliteExecutor(reader, writer, new Mutex(), false);
  }

  async all<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    if (!this.hold) return this.reader.all<T>(sql, params);
    await this.hold.begin();
    return this.writer.all<T>(sql, params);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    if (this.hold) {
      await this.hold.begin();
      return this.writer.run(sql, params);
    }
    const release = await this.mutex.lock();
    try {
      return this.writer.run(sql, params);
    } finally {
      release();
    }
  }

  async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    const hold = new WriterHold(this.writer, this.mutex);
    const commits = new CommitCallbacks();
    let result: T;
    try {
      result = await fn(new SqliteExecutor(this.reader, this.writer, this.mutex, true, commits, hold));
    } catch (err) {
      if (await hold.held()) {
        this.rollback();
        hold.free();
      }
      throw err;
    }
    if (await hold.held()) {
      try {
        this.writer.exec('COMMIT');
      } catch (err) {
        this.rollback();
        throw err;
      } finally {
        hold.free();
      }
    }
    commits.run();
    return result;
  }

  private rollback(): void {
    try {
      if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
    } catch {
      // fall through to the check below
    }
    if (this.writer.inTransaction) this.writer.reset();
  }

  close(): void {
    if (this.reader !== this.writer) this.reader.close();
    this.writer.close();
  }
}
