import { ConflictError } from '@plinth/sdk';
import type { ScriptCapability, ScriptKind, ScriptLimitsDef } from '@plinth/sdk';
import type { Executor, Row } from '../data/database';
import { fromDbDateTime, nowDb } from '../data/codec';
import type { ScriptLogLine } from './errors';
import type { ScriptLanguage } from './compiler';

/** One stored version of a script. */
export interface StoredScript {
  id: number;
  name: string;
  version: number;
  kind: ScriptKind;
  target: string | null;
  language: ScriptLanguage;
  source: string;
  /** JavaScript for the isolate, made by ScriptCompiler when the version was saved. */
  compiled: string;
  enabled: boolean;
  capabilities: ScriptCapability[];
  limits: ScriptLimitsDef | null;
  serviceRole: string | null;
  description: string | null;
  createdAt: string;
  createdBy: number | null;
}

export type NewScriptVersion = Omit<StoredScript, 'id' | 'version' | 'createdAt' | 'createdBy' | 'enabled'> & { enabled?: boolean };

export type ScriptRunStatus = 'ok' | 'error' | 'rejected' | 'limit' | 'unavailable';

export interface ScriptRunRecord {
  script: string;
  version: number;
  status: ScriptRunStatus;
  trigger?: string | null;
  durationMs: number;
  cpuMs?: number | null;
  memory?: number | null;
  errorCode?: string | null;
  error?: string | null;
  logs: readonly ScriptLogLine[];
  userId?: number | null;
  /** ISO date-time; default now. */
  at?: string;
}

export interface StoredScriptRun extends Required<Omit<ScriptRunRecord, 'logs'>> {
  id: number;
  logs: ScriptLogLine[];
}

export interface RunQuery {
  script?: string;
  status?: ScriptRunStatus;
  /** Runs with an id below this (paging backwards). */
  before?: number;
  limit?: number;
}

const SCRIPTS = 'plinth_scripts';
const RUNS = 'plinth_script_runs';
const SCRIPT_COLUMNS = [
  'id',
  'name',
  'version',
  'kind',
  'target',
  'language',
  'source',
  'compiled',
  'enabled',
  'capabilities',
  'limits',
  'service_role',
  'description',
  'created_at',
  'created_by',
];
const RUN_COLUMNS = ['id', 'script', 'version', 'status', 'trigger', 'duration_ms', 'cpu_ms', 'memory', 'error_code', 'error', 'logs', 'user_id', 'at'];
/** Stored logs are cut here (MEDIUMTEXT holds 16 MB; a run's log is meant to be read). */
const MAX_LOG_CHARS = 256 * 1024;

const bool = (v: unknown) => v === true || v === 1 || v === '1';
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown, fallback: T): T => {
  if (v === null || v === undefined || v === '') return fallback;
  try {
    return JSON.parse(String(v)) as T;
  } catch {
    return fallback;
  }
};

function logsJson(logs: readonly ScriptLogLine[]): string {
  let text = JSON.stringify(logs);
  if (text.length <= MAX_LOG_CHARS) return text;
  const kept: ScriptLogLine[] = [];
  let size = 2;
  for (const line of logs) {
    const s = JSON.stringify(line).length + 1;
    if (size + s > MAX_LOG_CHARS - 200) break;
    kept.push(line);
    size += s;
  }
  kept.push({ level: 'warn', message: `${logs.length - kept.length} log lines not stored (size limit)`, at: logs[logs.length - 1]?.at ?? 0 });
  text = JSON.stringify(kept);
  return text;
}

/** Scripts and their runs, in `plinth_scripts` / `plinth_script_runs`, with bound parameters on both databases. */
export class ScriptRepository {
  private readonly scriptSelect: string;
  private readonly runSelect: string;

  constructor(private readonly db: Executor) {
    const q = db.dialect.quote;
    this.scriptSelect = `SELECT ${SCRIPT_COLUMNS.map(q).join(', ')} FROM ${q(SCRIPTS)}`;
    this.runSelect = `SELECT ${RUN_COLUMNS.map(q).join(', ')} FROM ${q(RUNS)}`;
  }

  private q(id: string): string {
    return this.db.dialect.quote(id);
  }

  private decodeScript(r: Row): StoredScript {
    return {
      id: Number(r.id),
      name: String(r.name),
      version: Number(r.version),
      kind: String(r.kind) as ScriptKind,
      target: r.target == null ? null : String(r.target),
      language: String(r.language) as ScriptLanguage,
      source: String(r.source),
      compiled: String(r.compiled),
      enabled: bool(r.enabled),
      capabilities: json<ScriptCapability[]>(r.capabilities, []),
      limits: json<ScriptLimitsDef | null>(r.limits, null),
      serviceRole: r.service_role == null ? null : String(r.service_role),
      description: r.description == null ? null : String(r.description),
      createdAt: fromDbDateTime(r.created_at) ?? '',
      createdBy: num(r.created_by),
    };
  }

  /**
   * Store a new version of a script (version 1 for a new name). `enabled` defaults to the
   * previous version's. Two saves of one name at once: one gets a ConflictError.
   */
  async saveVersion(input: NewScriptVersion, userId: number | null, db: Executor = this.db): Promise<StoredScript> {
    return db.transaction(async (tx) => {
      const q = (s: string) => this.q(s);
      const prev = await tx.all<{ version: unknown; enabled: unknown }>(
        `SELECT ${q('version')}, ${q('enabled')} FROM ${q(SCRIPTS)} WHERE ${q('name')} = ? ORDER BY ${q('version')} DESC LIMIT 1`,
        [input.name],
      );
      const version = prev.length ? Number(prev[0].version) + 1 : 1;
      const enabled = input.enabled ?? (prev.length ? bool(prev[0].enabled) : true);
      const cols = ['name', 'version', 'kind', 'target', 'language', 'source', 'compiled', 'enabled', 'capabilities', 'limits', 'service_role', 'description', 'created_at', 'created_by'];
      const values = [
        input.name,
        version,
        input.kind,
        input.target,
        input.language,
        input.source,
        input.compiled,
        enabled ? 1 : 0,
        JSON.stringify(input.capabilities),
        input.limits ? JSON.stringify(input.limits) : null,
        input.serviceRole,
        input.description,
        nowDb(),
        userId,
      ];
      try {
        await tx.run(`INSERT INTO ${q(SCRIPTS)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, values);
      } catch (err) {
        if (tx.dialect.classify(err)?.kind === 'unique') throw new ConflictError('conflict', `Script ${input.name} was saved by someone else at the same time; reload and try again`);
        throw err;
      }
      return (await this.version(input.name, version, tx))!;
    });
  }

  /** The current (highest) version of a script, enabled or not. */
  async current(name: string, db: Executor = this.db): Promise<StoredScript | null> {
    const rows = await db.all(`${this.scriptSelect} WHERE ${this.q('name')} = ? ORDER BY ${this.q('version')} DESC LIMIT 1`, [name]);
    return rows.length ? this.decodeScript(rows[0]) : null;
  }

  async version(name: string, version: number, db: Executor = this.db): Promise<StoredScript | null> {
    const rows = await db.all(`${this.scriptSelect} WHERE ${this.q('name')} = ? AND ${this.q('version')} = ?`, [name, version]);
    return rows.length ? this.decodeScript(rows[0]) : null;
  }

  /** Every version of a script, newest first (without the code). */
  async history(name: string): Promise<{ version: number; createdAt: string; createdBy: number | null }[]> {
    const q = (s: string) => this.q(s);
    const rows = await this.db.all(`SELECT ${q('version')}, ${q('created_at')}, ${q('created_by')} FROM ${q(SCRIPTS)} WHERE ${q('name')} = ? ORDER BY ${q('version')} DESC`, [name]);
    return rows.map((r) => ({ version: Number(r.version), createdAt: fromDbDateTime(r.created_at) ?? '', createdBy: num(r.created_by) }));
  }

  /** The current version of every script, optionally of one kind / enabled ones only, by name. */
  async list(filter: { kind?: ScriptKind; enabledOnly?: boolean } = {}): Promise<StoredScript[]> {
    const q = (s: string) => this.q(s);
    const where = [`s.${q('version')} = (SELECT MAX(m.${q('version')}) FROM ${q(SCRIPTS)} m WHERE m.${q('name')} = s.${q('name')})`];
    const params: unknown[] = [];
    if (filter.kind) {
      where.push(`s.${q('kind')} = ?`);
      params.push(filter.kind);
    }
    if (filter.enabledOnly) {
      where.push(`s.${q('enabled')} = ?`);
      params.push(1);
    }
    const rows = await this.db.all(
      `SELECT ${SCRIPT_COLUMNS.map((c) => `s.${q(c)}`).join(', ')} FROM ${q(SCRIPTS)} s WHERE ${where.join(' AND ')} ORDER BY s.${q('name')}`,
      params,
    );
    return rows.map((r) => this.decodeScript(r));
  }

  /** Enable or disable a script (its current version). False when there is no such script. */
  async setEnabled(name: string, enabled: boolean): Promise<boolean> {
    const cur = await this.current(name);
    if (!cur) return false;
    const res = await this.db.run(`UPDATE ${this.q(SCRIPTS)} SET ${this.q('enabled')} = ? WHERE ${this.q('name')} = ? AND ${this.q('version')} = ?`, [enabled ? 1 : 0, name, cur.version]);
    return res.affectedRows > 0 || cur.enabled === enabled;
  }

  /** Remove a script with all its versions (its runs stay). */
  async remove(name: string): Promise<boolean> {
    const res = await this.db.run(`DELETE FROM ${this.q(SCRIPTS)} WHERE ${this.q('name')} = ?`, [name]);
    return res.affectedRows > 0;
  }

  /** Append runs (one statement). */
  async recordRuns(runs: readonly ScriptRunRecord[], db: Executor = this.db): Promise<void> {
    if (!runs.length) return;
    const cols = RUN_COLUMNS.slice(1);
    const row = `(${cols.map(() => '?').join(', ')})`;
    const params: unknown[] = [];
    for (const r of runs) {
      params.push(
        r.script,
        r.version,
        r.status,
        r.trigger ?? null,
        r.durationMs,
        r.cpuMs ?? null,
        r.memory ?? null,
        r.errorCode ?? null,
        r.error == null ? null : r.error.slice(0, 8000),
        logsJson(r.logs),
        r.userId ?? null,
        r.at ? r.at.replace('T', ' ').replace('Z', '') : nowDb(),
      );
    }
    await db.run(`INSERT INTO ${this.q(RUNS)} (${cols.map((c) => this.q(c)).join(', ')}) VALUES ${runs.map(() => row).join(', ')}`, params);
  }

  /** Runs, newest first. */
  async runs(query: RunQuery = {}): Promise<StoredScriptRun[]> {
    const q = (s: string) => this.q(s);
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.script) {
      where.push(`${q('script')} = ?`);
      params.push(query.script);
    }
    if (query.status) {
      where.push(`${q('status')} = ?`);
      params.push(query.status);
    }
    if (query.before) {
      where.push(`${q('id')} < ?`);
      params.push(query.before);
    }
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 50)), 500);
    const rows = await this.db.all(`${this.runSelect}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${q('id')} DESC LIMIT ${limit}`, params);
    return rows.map(decodeRun);
  }

  /** The latest run of each of `scripts` (those that ran), in one statement. */
  async lastRuns(scripts: readonly string[]): Promise<Map<string, StoredScriptRun>> {
    if (scripts.length === 0) return new Map();
    const q = (s: string) => this.q(s);
    const rows = await this.db.all(
      `${this.runSelect} WHERE ${q('id')} IN (SELECT MAX(${q('id')}) FROM ${q(RUNS)} WHERE ${q('script')} IN (${scripts.map(() => '?').join(', ')}) GROUP BY ${q('script')})`,
      scripts,
    );
    return new Map(rows.map((r) => [String(r.script), decodeRun(r)]));
  }
}

function decodeRun(r: Row): StoredScriptRun {
  return {
      id: Number(r.id),
      script: String(r.script),
      version: Number(r.version),
      status: String(r.status) as ScriptRunStatus,
      trigger: r.trigger == null ? null : String(r.trigger),
      durationMs: Number(r.duration_ms),
      cpuMs: num(r.cpu_ms),
      memory: num(r.memory),
      errorCode: r.error_code == null ? null : String(r.error_code),
      error: r.error == null ? null : String(r.error),
      logs: json<ScriptLogLine[]>(r.logs, []),
      userId: num(r.user_id),
      at: fromDbDateTime(r.at) ?? '',
  };
}
