/**
 * The script engine: the one object the kernel holds. It runs compiled scripts in the
 * worker pool and answers their host calls against a ScriptHost, checking each call's
 * capability and arguments here, in the API process (the trust boundary).
 */
import { createHash } from 'node:crypto';
import { PlinthError, type Actor } from '@plinth/sdk';
import type { ScriptCapability, ScriptKind, ScriptLimitsDef, ScriptNotification } from '@plinth/sdk';
import { WorkerPool, type HostReply, type WorkerPoolOptions } from './pool';
import type { HostCallMessage, HostErrorInfo, HostOp, RunOutcome } from './protocol';
import { resolveLimits, LIMIT_CEILINGS, type ScriptLimits } from './limits';
import { ScriptError, ScriptLimitError, ScriptRejection, type ScriptLogLine, type ScriptRunStats } from './errors';
import type { ScriptHost } from './host';
import { ScriptCompiler } from './compiler';
import { lineMapOf, mapStack, type LineMap } from './sourcemap';

export const SCRIPT_CAPABILITIES = ['records:read', 'records:write', 'notify', 'log', 'params:read', 'scripts:call'] as const satisfies readonly ScriptCapability[];
export const SCRIPT_KINDS = ['hook', 'validation', 'computed', 'flow', 'job', 'endpoint', 'subscriber'] as const satisfies readonly ScriptKind[];

/** A script ready to run: compiled JavaScript plus what it declared. */
export interface RunnableScript {
  name: string;
  version?: number;
  kind: ScriptKind;
  /** JavaScript from `ScriptCompiler.compile` (a CommonJS module with a default export). */
  js: string;
  capabilities: readonly ScriptCapability[];
  limits?: ScriptLimitsDef | null;
}

export interface RunOptions {
  /** Answers host calls; without one, every host call fails with `unavailable`. */
  host?: ScriptHost;
  /** `ctx.actor`; default the host's actor, else the system. */
  actor?: Actor;
  /** Limits for this call only, over the script's (clamped to the engine's ceilings). */
  limits?: Partial<ScriptLimits>;
  /** Nesting depth (scripts.call); nested calls skip the queue so they cannot starve the pool. */
  depth?: number;
  /** Report `stats.heapBytes` for a successful run (default true; failures always have it). */
  measure?: boolean;
}

export interface ScriptRunResult<T = unknown> {
  value: T;
  logs: ScriptLogLine[];
  stats: ScriptRunStats;
}

export interface ScriptEngineOptions extends WorkerPoolOptions {
  /** Upper bounds for any script's limits. */
  ceilings?: ScriptLimits;
  /** Deepest `scripts.call` chain (default 4). */
  maxDepth?: number;
  /** Where unexpected host-call failures are reported (their details never reach the script). */
  onHostError?: (err: unknown, op: string, script: string) => void;
}

const SYSTEM: Actor = { userId: null, username: 'system', isAdmin: false };

type Args = unknown[];
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(message: string): never {
  throw new PlinthError(400, 'invalid', message);
}
function entityArg(v: unknown): string {
  if (typeof v !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(v)) invalid('The entity must be an entity name');
  return v;
}
function idArg(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) invalid('A record id is a positive integer');
  return v;
}
function objArg(v: unknown, what: string, optional = true): Record<string, unknown> {
  if (v === null && optional) return {};
  if (!isPlainObject(v)) invalid(`${what} must be an object`);
  return v;
}
function keyArg(v: unknown, what: string): string {
  if (typeof v !== 'string' || !v || v.length > 200) invalid(`${what} must be a non-empty string`);
  return v;
}

interface OpDef {
  cap: ScriptCapability;
  call(host: ScriptHost, args: Args, run: { script: string; depth: number }): Promise<unknown>;
}

/** Every host operation: the capability it needs and how its arguments are checked. */
const OPS: Record<HostOp, OpDef> = {
  'records.list': { cap: 'records:read', call: (h, [e, q]) => h.listRecords(entityArg(e), objArg(q, 'The query')) },
  'records.get': { cap: 'records:read', call: (h, [e, id, q]) => h.getRecord(entityArg(e), idArg(id), objArg(q, 'The query')) },
  'records.count': { cap: 'records:read', call: (h, [e, q]) => h.countRecords(entityArg(e), objArg(q, 'The query')) },
  'records.create': { cap: 'records:write', call: (h, [e, d]) => h.createRecord(entityArg(e), objArg(d, 'The data', false)) },
  'records.update': {
    cap: 'records:write',
    call: (h, [e, id, patch, options]) => {
      const o = objArg(options, 'The options');
      if (typeof o.version !== 'number' || !Number.isSafeInteger(o.version)) invalid('update(id, patch, { version }) needs the version the script read');
      return h.updateRecord(entityArg(e), idArg(id), objArg(patch, 'The patch', false), o.version);
    },
  },
  'records.delete': { cap: 'records:write', call: (h, [e, id]) => h.deleteRecord(entityArg(e), idArg(id)) },
  'notify.send': {
    cap: 'notify',
    call: (h, [m]) => {
      // The notification service checks the rest (recipients, lengths, a relative link) and names each problem.
      const msg = objArg(m, 'The notification', false);
      if (msg.to === undefined) invalid('notify({ to }) takes a user id, a list of user ids, or { users, roles, departments }');
      if (typeof msg.title !== 'string' || !msg.title) invalid('notify({ title }) is required');
      return h.notify(msg as unknown as ScriptNotification);
    },
  },
  'params.get': { cap: 'params:read', call: (h, [k]) => h.getParam(keyArg(k, 'The parameter code')) },
  'dictionaries.items': { cap: 'params:read', call: (h, [c]) => h.getDictionaryItems(keyArg(c, 'The dictionary code')) },
  'scripts.call': { cap: 'scripts:call', call: (h, [n, input], run) => h.callScript(keyArg(n, 'The script name'), input, run) },
};

function hostErrorInfo(err: unknown): HostErrorInfo | null {
  if (err instanceof PlinthError) return { message: err.message, code: err.code, ...(err.errors.length ? { errors: err.errors.map((e) => ({ ...e })) } : {}) };
  return null;
}

export class ScriptEngine {
  readonly pool: WorkerPool;
  readonly compiler: ScriptCompiler;
  private readonly ceilings: ScriptLimits;
  private readonly maxDepth: number;
  private readonly keys = new WeakMap<RunnableScript, string>();
  private readonly lineMaps = new Map<string, LineMap | null>();
  private started: Promise<void> | null = null;

  constructor(private readonly options: ScriptEngineOptions = {}) {
    this.pool = new WorkerPool(options);
    this.compiler = new ScriptCompiler();
    this.ceilings = options.ceilings ?? LIMIT_CEILINGS;
    this.maxDepth = options.maxDepth ?? 4;
  }

  /** Start the worker processes (run() also starts them on first use). */
  start(): Promise<void> {
    this.started ??= this.pool.start().catch((err: unknown) => {
      this.started = null; // the next call tries again
      throw err;
    });
    return this.started;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** The limits a run of this script gets. */
  limitsFor(script: RunnableScript, extra?: Partial<ScriptLimits>): ScriptLimits {
    return resolveLimits(script.kind, { ...(script.limits ?? {}), ...(extra ?? {}) }, this.ceilings);
  }

  /**
   * Run a script with `input` (copied in as JSON). Resolves with its JSON result, logs and
   * stats; rejects with ScriptRejection (ctx.fail), ScriptLimitError (cpu, memory, wall,
   * output, crash), ScriptError (an uncaught exception) or ScriptUnavailableError.
   */
  async run<T = unknown>(script: RunnableScript, input: unknown, options: RunOptions = {}): Promise<ScriptRunResult<T>> {
    await this.start();
    const depth = options.depth ?? 0;
    if (depth > this.maxDepth) throw new ScriptError(`Scripts call each other more than ${this.maxDepth} deep`, { script: script.name, code: 'script-depth' });
    const limits = this.limitsFor(script, options.limits);
    const caps = new Set<string>(script.capabilities);
    const actor = options.actor ?? options.host?.actor ?? SYSTEM;
    let inputJson: string;
    try {
      inputJson = JSON.stringify(input ?? null) ?? 'null';
    } catch (err) {
      throw new ScriptError(`The input of script ${script.name} is not JSON: ${(err as Error).message}`, { script: script.name, code: 'script-input' });
    }
    const name = script.name;
    const meta = JSON.stringify({
      actor: { userId: actor.userId, username: actor.username, isAdmin: actor.isAdmin },
      script: { name, version: script.version ?? 0, kind: script.kind },
    });
    const done = await this.pool.run(
      {
        script: name,
        code: script.js,
        codeKey: this.codeKey(script),
        filename: this.filename(script),
        input: inputJson,
        meta,
        limits,
        canLog: caps.has('log'),
        measure: options.measure !== false,
      },
      (msg) => this.host(msg, caps, options.host, { script: name, depth }),
      depth > 0,
    );
    return this.outcome<T>(script, done.outcome, done.logs, done.stats);
  }

  /** Script-side stack at source positions (the compiled code carries its source map). */
  private sourceStack(script: RunnableScript, stack: string | undefined): { stack?: string; location?: { line: number; column: number } } {
    if (!stack) return {};
    const key = this.codeKey(script);
    let map = this.lineMaps.get(key);
    if (map === undefined) {
      map = lineMapOf(script.js);
      this.lineMaps.set(key, map);
      if (this.lineMaps.size > 200) this.lineMaps.delete(this.lineMaps.keys().next().value as string);
    }
    if (!map) return { stack };
    const mapped = mapStack(stack, this.filename(script), map);
    return { stack: mapped.stack, location: mapped.top ?? undefined };
  }

  private filename(script: RunnableScript): string {
    return `script:${script.name}${script.version ? `@${script.version}` : ''}.js`;
  }

  private codeKey(script: RunnableScript): string {
    let key = this.keys.get(script);
    if (!key) {
      key = createHash('sha1').update(script.js).digest('base64url');
      this.keys.set(script, key);
    }
    return key;
  }

  private outcome<T>(runnable: RunnableScript, outcome: RunOutcome, logs: ScriptLogLine[], stats: ScriptRunStats): ScriptRunResult<T> {
    const script = runnable.name;
    const info = { script, logs, stats };
    switch (outcome.kind) {
      case 'ok':
        return { value: JSON.parse(outcome.value) as T, logs, stats };
      case 'missing-code':
        // The pool resends such runs with their code; one never ends here.
        throw new ScriptError(`Script ${script}: its code did not reach the worker`, info);
      case 'reject':
        throw new ScriptRejection(outcome.message, outcome.errors, info);
      case 'limit':
        throw new ScriptLimitError(outcome.limit, `Script ${script}: ${outcome.message}`, info);
      case 'error': {
        const where = this.sourceStack(runnable, outcome.stack);
        const at = where.location ? ` (line ${where.location.line}, column ${where.location.column})` : '';
        throw new ScriptError(`Script ${script} failed: ${outcome.name === 'non-error' ? '' : `${outcome.name}: `}${outcome.message}${at}`, {
          ...info,
          errorName: outcome.name,
          scriptStack: where.stack,
          location: where.location,
        });
      }
    }
  }

  /** One host call from a running script: check, run, answer with JSON text or `{ message, code }`. */
  private async host(msg: HostCallMessage, caps: Set<string>, host: ScriptHost | undefined, run: { script: string; depth: number }): Promise<HostReply> {
    const fail = (code: string, message: string): HostReply => ({ ok: false, error: { message, code } });
    const op = Object.prototype.hasOwnProperty.call(OPS, msg.op) ? OPS[msg.op as HostOp] : undefined;
    if (!op) return fail('invalid', `There is no host operation "${msg.op}"`);
    if (!caps.has(op.cap)) return fail('capability', `This script did not declare the capability "${op.cap}" (needed by ${msg.op})`);
    if (!host) return fail('unavailable', `${msg.op} is not available here (no host)`);
    let args: unknown;
    try {
      args = JSON.parse(msg.args);
    } catch {
      return fail('invalid', 'Malformed host call arguments');
    }
    if (!Array.isArray(args)) return fail('invalid', 'Malformed host call arguments');
    try {
      const value = await op.call(host, args, run);
      return { ok: true, value: JSON.stringify(value ?? null) ?? 'null' };
    } catch (err) {
      const info = hostErrorInfo(err);
      if (info) return { ok: false, error: info };
      this.options.onHostError?.(err, msg.op, run.script);
      return fail('internal', `${msg.op} failed on the server`);
    }
  }
}
