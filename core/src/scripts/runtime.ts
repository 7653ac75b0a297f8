/**
 * Stored scripts on top of the engine: save (validate, compile, version), find by
 * attachment point, run as the caller (or through `contextFor`, a service role), record
 * runs, dry-run in a rolled-back transaction. The kernel's hook/job/endpoint/event wiring
 * calls this; it knows nothing of HTTP.
 */
import { NotFoundError, PlinthError, ValidationError, type DataContext, type FieldError } from '@plinth/sdk';
import type { ScriptCapability, ScriptKind, ScriptLimitsDef } from '@plinth/sdk';
import { SCRIPT_CAPABILITIES, SCRIPT_KINDS, type RunnableScript, type ScriptEngine, type ScriptRunResult } from './engine';
import { DataContextScriptHost, type ScriptHostServices, type ScriptWrite } from './host';
import { ScriptError, ScriptLimitError, ScriptRejection, ScriptUnavailableError, type ScriptDiagnostic, type ScriptLogLine, type ScriptRunStats } from './errors';
import type { ScriptLanguage } from './compiler';
import type { NewScriptVersion, ScriptRepository, ScriptRunRecord, ScriptRunStatus, StoredScript } from './repository';
import type { Executor } from '../data/database';

/** What an admin (or a configuration package) saves. */
export interface ScriptDefinition {
  name: string;
  kind: ScriptKind;
  target?: string | null;
  language: ScriptLanguage;
  source: string;
  capabilities?: readonly ScriptCapability[];
  limits?: ScriptLimitsDef | null;
  serviceRole?: string | null;
  description?: string | null;
  enabled?: boolean;
}

export interface ScriptRunContext {
  /** The caller's data access: the request's user, inside its transaction when there is one. */
  data: DataContext;
  /** What ran it, for the run log: `hook:customer:beforeCreate`, `job`, `endpoint:/x/report`… */
  trigger?: string;
  depth?: number;
}

export interface ScriptRuntimeOptions {
  engine: ScriptEngine;
  repository: ScriptRepository;
  /** Runs written to plinth_script_runs: every run, failures only (default), or none. */
  recordRuns?: 'all' | 'errors' | 'none';
  /** notify / params / dictionaries for scripts (scripts.call is provided here). */
  services?: Omit<ScriptHostServices, 'callScript'>;
  /**
   * The data context a script acts with. Default: the caller's. The kernel passes one that
   * returns a context for `script.serviceRole` (as the role the admin granted), joined to the
   * caller's transaction.
   */
  contextFor?: (script: StoredScript, caller: DataContext) => DataContext | Promise<DataContext>;
  /** How long a loaded script is trusted before it is read again (other nodes may save), ms. */
  cacheTtlMs?: number;
  /** Background failures (run recording). */
  onError?: (err: unknown) => void;
}

export interface DryRunResult {
  ok: boolean;
  value?: unknown;
  error?: { message: string; code: string; kind?: string; errors?: readonly FieldError[]; location?: { line: number; column: number }; stack?: string };
  logs: readonly ScriptLogLine[];
  stats: ScriptRunStats | null;
  /** Writes the script made (rolled back). */
  writes: ScriptWrite[];
}

const NAME = /^[a-z][a-z0-9_.-]{0,99}$/;
class Rollback extends Error {}

interface Cached {
  script: StoredScript;
  runnable: RunnableScript;
  at: number;
}

export function toRunnable(s: StoredScript): RunnableScript {
  return { name: s.name, version: s.version, kind: s.kind, js: s.compiled, capabilities: s.capabilities, limits: s.limits };
}

export class ScriptRuntime {
  private readonly cache = new Map<string, Cached>();
  private readonly byKind = new Map<ScriptKind, { at: number; scripts: StoredScript[] }>();
  private readonly pending: ScriptRunRecord[] = [];
  private flushing: Promise<void> | null = null;
  private readonly ttl: number;

  constructor(private readonly options: ScriptRuntimeOptions) {
    this.ttl = options.cacheTtlMs ?? 5000;
  }

  get engine(): ScriptEngine {
    return this.options.engine;
  }

  /** Syntax, import and type errors of a source, for the editor (nothing is saved). */
  check(source: string, language: ScriptLanguage, kind?: ScriptKind): ScriptDiagnostic[] {
    return this.engine.compiler.check(source, { language, kind });
  }

  /** Validate, compile and store a new version. Throws ValidationError / ScriptCompileError. */
  async save(def: ScriptDefinition, userId: number | null = null): Promise<StoredScript> {
    const saved = await this.options.repository.saveVersion(this.prepare(def), userId);
    await this.invalidate(def.name);
    return saved;
  }

  /**
   * Store a prepared version inside `tx` (a configuration package import); the caches
   * follow once it has committed.
   */
  async saveIn(tx: Executor, version: NewScriptVersion, userId: number | null): Promise<StoredScript> {
    const saved = await this.options.repository.saveVersion(version, userId, tx);
    tx.afterCommit(() => void this.invalidate(version.name).catch(() => undefined));
    return saved;
  }

  /** A definition checked and compiled, ready to store. Throws ValidationError / ScriptCompileError. */
  prepare(def: ScriptDefinition): NewScriptVersion {
    const errors: FieldError[] = [];
    if (typeof def.name !== 'string' || !NAME.test(def.name)) errors.push({ field: 'name', rule: 'pattern', message: 'A script name is lower-case letters, digits, _ . - (max 100), starting with a letter' });
    if (!SCRIPT_KINDS.includes(def.kind)) errors.push({ field: 'kind', rule: 'enum', message: `kind is one of ${SCRIPT_KINDS.join(', ')}` });
    if (def.language !== 'ts' && def.language !== 'js') errors.push({ field: 'language', rule: 'enum', message: 'language is ts or js' });
    if (typeof def.source !== 'string' || def.source.length > 512 * 1024) errors.push({ field: 'source', rule: 'maxLength', message: 'source is a string of at most 512 KB' });
    const caps = [...new Set(def.capabilities ?? [])];
    for (const c of caps) if (!(SCRIPT_CAPABILITIES as readonly string[]).includes(c)) errors.push({ field: 'capabilities', rule: 'enum', message: `Unknown capability ${c}` });
    if (def.limits) {
      for (const [k, v] of Object.entries(def.limits)) {
        if (!['memoryMb', 'cpuMs', 'wallMs'].includes(k)) errors.push({ field: `limits.${k}`, rule: 'unknown', message: 'limits has memoryMb, cpuMs and wallMs' });
        else if (typeof v !== 'number' || !(v > 0)) errors.push({ field: `limits.${k}`, rule: 'type', message: `${k} is a positive number` });
      }
    }
    if (def.target != null && (typeof def.target !== 'string' || def.target.length > 255)) errors.push({ field: 'target', rule: 'maxLength', message: 'target is a string of at most 255 characters' });
    if (errors.length) throw new ValidationError(errors, 'The script definition is invalid');
    const { js } = this.engine.compiler.compile(def.source, { language: def.language, name: def.name, kind: def.kind });
    return {
      name: def.name,
      kind: def.kind,
      target: def.target ?? null,
      language: def.language,
      source: def.source,
      compiled: js,
      capabilities: caps as ScriptCapability[],
      limits: def.limits ?? null,
      serviceRole: def.serviceRole ?? null,
      description: def.description ?? null,
      enabled: def.enabled,
    };
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    if (!(await this.options.repository.setEnabled(name, enabled))) throw new NotFoundError(`No script ${name}`);
    await this.invalidate(name);
  }

  /**
   * Forget cached scripts (after a change, e.g. a configuration package import) and reload
   * the lists by kind. The old lists keep answering until the new ones are in, so a record
   * write never waits for the database inside its transaction.
   */
  async invalidate(name?: string): Promise<void> {
    if (name) this.cache.delete(name);
    else this.cache.clear();
    await Promise.all(
      [...this.byKind.keys()].map(async (kind) => {
        await this.refreshing.get(kind)?.catch(() => undefined); // a read that began before the change
        await this.refresh(kind);
      }),
    );
  }

  /** The current version of a script (cached for `cacheTtlMs`). */
  async get(name: string): Promise<StoredScript | null> {
    return (await this.load(name))?.script ?? null;
  }

  private async load(name: string): Promise<Cached | null> {
    const hit = this.cache.get(name);
    if (hit && Date.now() - hit.at < this.ttl) return hit;
    const script = await this.options.repository.current(name);
    if (!script) {
      this.cache.delete(name);
      return null;
    }
    const entry = { script, runnable: hit && hit.script.version === script.version ? hit.runnable : toRunnable(script), at: Date.now() };
    this.cache.set(name, entry);
    return entry;
  }

  /** Enabled scripts of a kind attached to `target` (e.g. hooks of `customer:beforeCreate`), by name. */
  async find(kind: ScriptKind, target?: string): Promise<StoredScript[]> {
    let entry = this.byKind.get(kind);
    if (!entry) {
      // First use of a kind: wait for the list (callers preload at start, so a record
      // write inside a transaction does not wait for a second connection here).
      entry = await this.refresh(kind);
    } else if (Date.now() - entry.at >= this.ttl) {
      // Stale: answer from memory and refresh in the background (one refresh at a time).
      if (!this.refreshing.has(kind)) void this.refresh(kind).catch((err: unknown) => this.options.onError?.(err));
    }
    return target === undefined ? entry.scripts : entry.scripts.filter((s) => s.target === target);
  }

  private readonly refreshing = new Map<ScriptKind, Promise<{ at: number; scripts: StoredScript[] }>>();

  private refresh(kind: ScriptKind): Promise<{ at: number; scripts: StoredScript[] }> {
    let pending = this.refreshing.get(kind);
    if (!pending) {
      pending = this.options.repository
        .list({ kind, enabledOnly: true })
        .then((scripts) => {
          const entry = { at: Date.now(), scripts };
          this.byKind.set(kind, entry);
          return entry;
        })
        .finally(() => this.refreshing.delete(kind));
      this.refreshing.set(kind, pending);
    }
    return pending;
  }


  /** Run the current version of a script by name. NotFoundError when missing or disabled. */
  async run<T = unknown>(name: string, input: unknown, context: ScriptRunContext): Promise<ScriptRunResult<T>> {
    const entry = await this.load(name);
    if (!entry || !entry.script.enabled) throw new NotFoundError(`No enabled script ${name}`);
    return this.execute<T>(entry.script, entry.runnable, input, context);
  }

  /** Run a given stored version (e.g. one `find` returned). */
  runScript<T = unknown>(script: StoredScript, input: unknown, context: ScriptRunContext): Promise<ScriptRunResult<T>> {
    const hit = this.cache.get(script.name);
    const runnable = hit && hit.script.id === script.id ? hit.runnable : toRunnable(script);
    return this.execute<T>(script, runnable, input, context);
  }

  private async host(script: StoredScript, context: ScriptRunContext): Promise<DataContextScriptHost> {
    const data = this.options.contextFor ? await this.options.contextFor(script, context.data) : context.data;
    return new DataContextScriptHost(data, {
      ...this.options.services,
      // A called script acts with the caller's data context (or its own service role), one level deeper.
      callScript: async (name, input, caller) => (await this.run(name, input, { data, depth: caller.depth + 1, trigger: `script:${caller.script}` })).value,
    }, { script: script.name });
  }

  private async execute<T>(script: StoredScript, runnable: RunnableScript, input: unknown, context: ScriptRunContext): Promise<ScriptRunResult<T>> {
    const host = await this.host(script, context);
    try {
      const result = await this.engine.run<T>(runnable, input, { host, depth: context.depth ?? 0, measure: this.options.recordRuns === 'all' });
      if (this.options.recordRuns === 'all') this.record(script, context, 'ok', result.stats, result.logs, null);
      return result;
    } catch (err) {
      if (this.options.recordRuns !== 'none') this.recordFailure(script, context, err);
      throw err;
    }
  }

  /**
   * Run a script (stored, or a source being edited) against an input inside a transaction
   * that is rolled back: its result, logs, the writes it made, duration and memory.
   */
  async dryRun(
    what: { name: string; version?: number } | (Omit<ScriptDefinition, 'name'> & { name?: string }),
    input: unknown,
    data: DataContext,
  ): Promise<DryRunResult> {
    let script: StoredScript;
    if ('source' in what) {
      const { js } = this.engine.compiler.compile(what.source, { language: what.language, name: what.name, kind: what.kind });
      script = {
        id: 0,
        name: what.name ?? 'dry-run',
        version: 0,
        kind: what.kind,
        target: what.target ?? null,
        language: what.language,
        source: what.source,
        compiled: js,
        enabled: true,
        capabilities: [...(what.capabilities ?? [])],
        limits: what.limits ?? null,
        serviceRole: what.serviceRole ?? null,
        description: null,
        createdAt: '',
        createdBy: null,
      };
    } else {
      const found = what.version ? await this.options.repository.version(what.name, what.version) : await this.options.repository.current(what.name);
      if (!found) throw new NotFoundError(`No script ${what.name}${what.version ? ` version ${what.version}` : ''}`);
      script = found;
    }
    let out: DryRunResult | null = null;
    try {
      await data.transaction(async (tx) => {
        const host = await this.host(script, { data: tx, trigger: 'dry-run' });
        try {
          const r = await this.engine.run(toRunnable(script), input, { host });
          out = { ok: true, value: r.value, logs: r.logs, stats: r.stats, writes: host.writes };
        } catch (err) {
          out = { ok: false, error: describeError(err), logs: failureLogs(err), stats: failureStats(err), writes: host.writes };
        }
        throw new Rollback();
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
    return out!;
  }

  private recordFailure(script: StoredScript, context: ScriptRunContext, err: unknown): void {
    const status: ScriptRunStatus =
      err instanceof ScriptRejection ? 'rejected' : err instanceof ScriptLimitError ? 'limit' : err instanceof ScriptUnavailableError ? 'unavailable' : 'error';
    const info = describeError(err);
    this.record(script, context, status, failureStats(err), failureLogs(err), { code: info.code, message: info.stack ? `${info.message}\n${info.stack}` : info.message });
  }

  private record(script: StoredScript, context: ScriptRunContext, status: ScriptRunStatus, stats: ScriptRunStats | null, logs: readonly ScriptLogLine[], error: { code: string; message: string } | null): void {
    this.pending.push({
      script: script.name,
      version: script.version,
      status,
      trigger: context.trigger ?? null,
      durationMs: stats?.durationMs ?? 0,
      cpuMs: stats?.cpuMs ?? null,
      memory: stats?.heapBytes ?? null,
      errorCode: error?.code ?? null,
      error: error?.message ?? null,
      logs,
      userId: context.data.actor.userId,
      at: new Date().toISOString(),
    });
    if (this.pending.length > 10_000) this.pending.splice(0, this.pending.length - 10_000);
    // Written later, on the database itself: never inside (or waiting on) the caller's transaction.
    if (!this.flushing) this.flushing = new Promise((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, 200);
        try {
          await this.options.repository.recordRuns(batch);
        } catch (err) {
          this.options.onError?.(err);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  /** Wait until recorded runs are written (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Current versions of the stored scripts, optionally of one kind. */
  list(kind?: ScriptKind): Promise<StoredScript[]> {
    return this.options.repository.list({ kind });
  }

  runs(query: Parameters<ScriptRepository['runs']>[0] = {}) {
    return this.options.repository.runs(query);
  }

  /** The latest run of each named script. */
  lastRuns(scripts: readonly string[]) {
    return this.options.repository.lastRuns(scripts);
  }

  /** Every saved version of a script, newest first (without the code). */
  versions(name: string) {
    return this.options.repository.history(name);
  }

  /** One saved version of a script, with its source. */
  version(name: string, version: number): Promise<StoredScript | null> {
    return this.options.repository.version(name, version);
  }
}

function failureLogs(err: unknown): readonly ScriptLogLine[] {
  return err instanceof ScriptError || err instanceof ScriptRejection ? err.logs : [];
}

function failureStats(err: unknown): ScriptRunStats | null {
  return err instanceof ScriptError || err instanceof ScriptRejection ? err.stats : null;
}

function describeError(err: unknown): NonNullable<DryRunResult['error']> {
  if (err instanceof ScriptLimitError) return { message: err.message, code: err.code, kind: err.kind };
  if (err instanceof ScriptError) return { message: err.message, code: err.code, location: err.location, stack: err.scriptStack };
  if (err instanceof PlinthError) return { message: err.message, code: err.code, errors: err.errors };
  return { message: err instanceof Error ? err.message : String(err), code: 'internal' };
}
