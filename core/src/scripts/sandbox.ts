/**
 * Worker-process side: a small pool of isolated-vm isolates and the execution of one run.
 * Runs only in a script worker process (never in the API process): isolated-vm can abort
 * the process hosting an isolate on some out-of-memory paths.
 */
import fs from 'node:fs';
import path from 'node:path';
import ivm from 'isolated-vm';
import type { DoneMessage, HostCallMessage, HostReplyMessage, RunMessage, RunOutcome } from './protocol';
import type { ScriptLogLine } from './errors';
import { LOCKDOWN, REALM } from './bootstrap';

/** SES (hardened JavaScript) as one self-contained script, run in every isolate before lockdown. */
const SES_SOURCE = fs.readFileSync(path.join(path.dirname(require.resolve('ses/package.json')), 'dist', 'ses.umd.min.js'), 'utf8');

export interface SandboxOptions {
  /** Isolates kept per worker (runs at once, normally). */
  isolates: number;
  /** Replace an isolate after this many runs (bounds anything that accumulates in it). */
  maxRunsPerIsolate?: number;
  /** Compiled scripts cached per isolate. */
  scriptCacheSize?: number;
  /** How often CPU time is checked, ms. */
  cpuCheckMs?: number;
  send(msg: HostCallMessage): void;
  onCatastrophicError(message: string): void;
}

class Slot {
  readonly isolate: ivm.Isolate;
  /** `load(source, filename)` of the isolate's realm (./bootstrap.ts), once SES is locked down. */
  readonly realm: Promise<ivm.Reference>;
  /** Per script version: the function that runs it (`load`'s result). */
  readonly runners = new Map<string, Promise<ivm.Reference>>();
  runs = 0;
  /** CPU time when the slot went idle: an idle isolate must not run code (see Sandbox.watchIdle). */
  idleCpu = 0n;
  /** Set up (SES locked down, realm ready); the setup's own CPU is not idle work. */
  ready = false;
  /** A script left work behind in this isolate: dispose it instead of reusing it. */
  tainted = false;

  constructor(
    readonly memoryMb: number,
    onCatastrophicError: (message: string) => void,
  ) {
    this.isolate = new ivm.Isolate({ memoryLimit: memoryMb, onCatastrophicError });
    this.realm = this.setUp();
    this.realm.then(
      () => {
        this.ready = true;
        if (!this.disposed) this.idleCpu = this.isolate.cpuTime;
      },
      () => this.dispose(),
    );
  }

  /** One context for the isolate's life: SES, lockdown, then the realm that runs scripts. */
  private async setUp(): Promise<ivm.Reference> {
    const context = await this.isolate.createContext();
    const ses = await this.isolate.compileScript(SES_SOURCE, { filename: 'ses.js' });
    await ses.run(context);
    await context.eval(LOCKDOWN);
    const realm = await this.isolate.compileScript(REALM, { filename: 'plinth:realm.js' });
    return (await realm.run(context, { reference: true })) as ivm.Reference;
  }

  /** Usable for another run. */
  get alive(): boolean {
    return !this.isolate.isDisposed && !this.tainted;
  }

  get disposed(): boolean {
    return this.isolate.isDisposed;
  }

  runner(key: string, code: string, filename: string, cacheSize: number): Promise<ivm.Reference> {
    let r = this.runners.get(key);
    if (r) {
      // LRU: move to the end.
      this.runners.delete(key);
      this.runners.set(key, r);
      return r;
    }
    r = this.realm.then((load) => load.apply(undefined, [code, filename], { result: { reference: true } }) as Promise<ivm.Reference>);
    r.catch(() => this.runners.delete(key));
    this.runners.set(key, r);
    while (this.runners.size > cacheSize) {
      const [oldest, p] = this.runners.entries().next().value as [string, Promise<ivm.Reference>];
      this.runners.delete(oldest);
      p.then((x) => x.release(), () => undefined);
    }
    return r;
  }

  dispose(): void {
    if (!this.disposed) {
      try {
        this.isolate.dispose();
      } catch {
        /* already gone */
      }
    }
  }
}

interface ActiveRun {
  msg: RunMessage;
  slot: Slot;
  started: number;
  cpuStart: bigint | null;
  killed: 'cpu' | 'wall' | null;
  logs: ScriptLogLine[];
  logsDropped: number;
  hostCalls: number;
  inFlight: number;
  waiting: (() => void)[];
  replies: Map<number, (text: string) => void>;
  done: boolean;
}

const asJson = (v: unknown) => JSON.stringify(v);
/** The answer to a host call made after its run ended. */
const NEVER = new Promise<string>(() => undefined);
/** CPU an idle isolate may use (garbage collection; scripts run nothing there). */
const IDLE_CPU_BUDGET_MS = 20;
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);
/** Scripts' code a worker keeps: twice what the pool remembers sending it (POOL_SENT_CODES). */
export const WORKER_CODES = 512;

export class Sandbox {
  private readonly idle: Slot[] = [];
  private busy = 0;
  private readonly active = new Map<number, ActiveRun>();
  private cpuTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private nextCall = 1;

  constructor(private readonly options: SandboxOptions) {}

  private acquire(memoryMb: number): Slot {
    this.busy++;
    this.ensureTimer();
    for (;;) {
      const i = this.idle.findIndex((s) => s.memoryMb === memoryMb && s.alive);
      if (i < 0) break;
      const slot = this.idle.splice(i, 1)[0];
      if (!this.busyWhileIdle(slot)) return slot;
      slot.dispose();
    }
    // Make room: drop an idle isolate of another size when at capacity.
    while (this.idle.length && this.idle.length + this.busy > this.options.isolates) this.idle.shift()!.dispose();
    return new Slot(memoryMb, this.options.onCatastrophicError);
  }

  private release(slot: Slot): void {
    this.busy--;
    const max = this.options.maxRunsPerIsolate ?? 5000;
    if (!slot.alive || slot.runs >= max || this.idle.length + this.busy >= this.options.isolates) {
      slot.dispose();
      return;
    }
    slot.idleCpu = slot.isolate.cpuTime;
    this.idle.push(slot);
  }

  /** Code ran in an idle isolate: something outlived its run. */
  private busyWhileIdle(slot: Slot): boolean {
    if (!slot.ready) return false;
    try {
      return Number(slot.isolate.cpuTime - slot.idleCpu) / 1e6 > IDLE_CPU_BUDGET_MS;
    } catch {
      return true;
    }
  }

  /** Warm up: create the isolates (SES locked down in each) before the first run. */
  prewarm(memoryMb = 32): void {
    this.ensureTimer();
    while (this.idle.length < this.options.isolates) this.idle.push(new Slot(memoryMb, this.options.onCatastrophicError));
  }

  /** Code by key, as sent by the pool: at least as many as the pool remembers sending (see WorkerPool). */
  private readonly codes = new Map<string, string>();

  private codeOf(msg: RunMessage): string | undefined {
    const code = msg.code ?? this.codes.get(msg.codeKey);
    if (code === undefined) return undefined;
    // LRU: the most recent at the end.
    this.codes.delete(msg.codeKey);
    this.codes.set(msg.codeKey, code);
    while (this.codes.size > WORKER_CODES) this.codes.delete(this.codes.keys().next().value as string);
    return code;
  }

  async run(msg: RunMessage): Promise<DoneMessage> {
    const code = this.codeOf(msg);
    if (code === undefined) return { t: 'done', id: msg.id, outcome: { kind: 'missing-code' }, logs: [], stats: { durationMs: 0, cpuMs: 0, heapBytes: 0, hostCalls: 0 } };
    const slot = this.acquire(msg.limits.memoryMb);
    slot.runs++;
    const run: ActiveRun = {
      msg,
      slot,
      started: performance.now(),
      cpuStart: null,
      killed: null,
      logs: [],
      logsDropped: 0,
      hostCalls: 0,
      inFlight: 0,
      waiting: [],
      replies: new Map(),
      done: false,
    };
    this.active.set(msg.id, run);
    this.ensureTimer();
    const wall = setTimeout(() => this.kill(run, 'wall'), msg.limits.wallMs);
    const log = new ivm.Callback((level: unknown, text: unknown) => this.log(run, level, text));
    const rpc = new ivm.Reference((op: unknown, args: unknown) => this.hostCall(run, op, args));
    let outcome: RunOutcome;
    try {
      const runner = await slot.runner(`${msg.codeKey}:${msg.filename}`, code, msg.filename, this.options.scriptCacheSize ?? 64);
      run.cpuStart = slot.isolate.cpuTime;
      const answer = (await runner.apply(undefined, [log, rpc, msg.input, msg.meta, asJson(msg.limits), msg.canLog], {
        result: { promise: true, copy: true },
      })) as unknown;
      outcome = this.decode(run, answer);
    } catch (err) {
      outcome = this.failure(run, err);
    } finally {
      clearTimeout(wall);
    }
    run.done = true;
    this.active.delete(msg.id);
    // Host calls still pending: the script left promise chains that would go on running in
    // this isolate after its run (host replies are the only way to schedule work past the
    // end). Their replies are dropped (never settle) and the isolate is discarded.
    if (run.replies.size || run.waiting.length) slot.tainted = true;
    run.waiting.length = 0;
    run.replies.clear();
    const cpuMs = run.cpuStart !== null && !slot.disposed ? Number(slot.isolate.cpuTime - run.cpuStart) / 1e6 : 0;
    let heapBytes = 0;
    if (!slot.disposed && (msg.measure || outcome.kind !== 'ok')) {
      try {
        const h = slot.isolate.getHeapStatisticsSync();
        heapBytes = h.used_heap_size + h.externally_allocated_size;
        // An isolate that keeps more than half its limit after a run is replaced.
        if (heapBytes > (msg.limits.memoryMb << 20) / 2) slot.dispose();
      } catch {
        /* disposed meanwhile */
      }
    }
    // `rpc` is not released: a released Reference throws synchronously when called, which
    // would let a leftover promise chain spin without ever yielding. Calls after the run
    // never settle instead (see hostCall); GC collects the handle.
    this.release(slot);
    if (run.logsDropped) run.logs.push({ level: 'warn', message: `${run.logsDropped} more log lines were dropped (limit ${msg.limits.maxLogLines})`, at: Math.round(performance.now() - run.started) });
    return {
      t: 'done',
      id: msg.id,
      outcome,
      logs: run.logs,
      stats: { durationMs: Math.round((performance.now() - run.started) * 100) / 100, cpuMs: Math.round(cpuMs * 100) / 100, heapBytes, hostCalls: run.hostCalls },
    };
  }

  private decode(run: ActiveRun, answer: unknown): RunOutcome {
    if (run.killed) return this.limitOutcome(run.killed, run);
    if (typeof answer !== 'string' || answer.length < 1) return { kind: 'error', name: 'Error', message: 'The script runtime returned no answer' };
    if (answer[0] === 'o') {
      const value = answer.slice(1);
      if (value.length > run.msg.limits.maxOutputBytes) return { kind: 'limit', limit: 'output', message: `The result is ${value.length} characters of JSON; the limit is ${run.msg.limits.maxOutputBytes}` };
      return { kind: 'ok', value };
    }
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(answer.slice(1)) as Record<string, unknown>;
    } catch {
      return { kind: 'error', name: 'Error', message: 'The script runtime returned an unreadable answer' };
    }
    const text = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
    if (e.kind === 'reject') {
      const errors = Array.isArray(e.errors)
        ? (e.errors as Record<string, unknown>[]).slice(0, 100).map((x) => ({ field: text(x?.field, 200), rule: text(x?.rule, 100), message: text(x?.message, 1000) }))
        : [];
      return { kind: 'reject', message: text(e.message, 2000) || 'Rejected by script', errors };
    }
    if (e.kind === 'limit' && e.limit === 'output') return { kind: 'limit', limit: 'output', message: text(e.message, 500) };
    const out: RunOutcome = { kind: 'error', name: text(e.name, 100) || 'Error', message: text(e.message, 2000) };
    const stack = cleanStack(text(e.stack, 4000), run.msg.filename);
    if (stack) out.stack = stack;
    if (typeof e.code === 'string') out.code = e.code.slice(0, 100);
    return out;
  }

  private limitOutcome(kind: 'cpu' | 'wall' | 'memory', run: ActiveRun): RunOutcome {
    const l = run.msg.limits;
    const message =
      kind === 'cpu'
        ? `The script used more than its ${l.cpuMs} ms of CPU time and was stopped`
        : kind === 'wall'
          ? `The script did not finish within its ${l.wallMs} ms deadline and was stopped`
          : `The script used more than its ${l.memoryMb} MB of memory and was stopped`;
    return { kind: 'limit', limit: kind, message };
  }

  private failure(run: ActiveRun, err: unknown): RunOutcome {
    if (run.killed) return this.limitOutcome(run.killed, run);
    const message = err instanceof Error ? err.message : String(err);
    if (/memory limit/i.test(message)) return this.limitOutcome('memory', run);
    if (/timed out/i.test(message)) return this.limitOutcome('wall', run);
    if (run.slot.disposed) return this.limitOutcome('memory', run);
    // Errors thrown before the script's own code ran (e.g. out of memory building the context).
    return { kind: 'error', name: err instanceof Error ? err.name : 'Error', message: message.slice(0, 2000) };
  }

  private kill(run: ActiveRun, kind: 'cpu' | 'wall'): void {
    if (run.done || run.killed) return;
    run.killed = kind;
    run.slot.dispose();
  }

  private ensureTimer(): void {
    // Idle isolates: checked now and then, for as long as the worker lives.
    this.idleTimer ??= setInterval(() => this.watchIdle(), 200);
    this.idleTimer.unref();
    // Runs: CPU time checked often, only while something runs.
    this.cpuTimer ??= setInterval(() => this.watchRuns(), this.options.cpuCheckMs ?? 5);
  }

  /** Drop idle isolates in which code still runs (backstop: see the pending-host-call check in run()). */
  private watchIdle(): void {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const slot = this.idle[i];
      if (slot.alive && !this.busyWhileIdle(slot)) continue;
      this.idle.splice(i, 1);
      slot.dispose();
    }
  }

  /** Stop runs over their CPU time. */
  private watchRuns(): void {
    if (!this.active.size) {
      clearInterval(this.cpuTimer!);
      this.cpuTimer = null;
      return;
    }
    for (const run of this.active.values()) {
      if (run.cpuStart === null || run.killed || run.slot.disposed) continue;
      let used: number;
      try {
        used = Number(run.slot.isolate.cpuTime - run.cpuStart) / 1e6;
      } catch {
        continue;
      }
      if (used > run.msg.limits.cpuMs) this.kill(run, 'cpu');
    }
  }

  private log(run: ActiveRun, level: unknown, text: unknown): void {
    if (run.done || !run.msg.canLog) return;
    if (level === 'dropped') {
      run.logsDropped += Math.max(0, Number(text) || 0);
      return;
    }
    if (run.logs.length >= run.msg.limits.maxLogLines) {
      run.logsDropped++;
      return;
    }
    run.logs.push({
      level: (typeof level === 'string' && LEVELS.has(level) ? level : 'info') as ScriptLogLine['level'],
      message: typeof text === 'string' ? text.slice(0, 4000) : String(text).slice(0, 4000),
      at: Math.round(performance.now() - run.started),
    });
  }

  /** Called from inside the isolate (through a Reference): forward to the API process, answer JSON text. */
  private async hostCall(run: ActiveRun, op: unknown, args: unknown): Promise<string> {
    const fail = (message: string, code: string) => asJson({ ok: false, error: { message, code } });
    if (run.done) {
      // Work left behind by an ended run: never answer (the chain stops here), and do not
      // reuse this isolate.
      run.slot.tainted = true;
      return NEVER;
    }
    if (run.killed) return fail('The run has ended', 'ended');
    if (typeof op !== 'string' || typeof args !== 'string') return fail('Malformed host call', 'invalid');
    const l = run.msg.limits;
    if (++run.hostCalls > l.maxHostCalls) return fail(`Too many host calls: the limit is ${l.maxHostCalls} per run`, 'limit');
    if (args.length > l.maxHostArgBytes) return fail(`The arguments of ${op} are ${args.length} characters of JSON; the limit is ${l.maxHostArgBytes}`, 'limit');
    if (run.inFlight >= l.maxConcurrentHostCalls) await new Promise<void>((resolve) => run.waiting.push(resolve));
    run.inFlight++;
    try {
      const call = this.nextCall++;
      const reply = new Promise<string>((resolve) => run.replies.set(call, resolve));
      this.options.send({ t: 'host', run: run.msg.id, call, op, args });
      return await reply;
    } finally {
      run.inFlight--;
      run.waiting.shift()?.();
    }
  }

  hostReply(msg: HostReplyMessage): void {
    const run = this.active.get(msg.run);
    const resolve = run?.replies.get(msg.call);
    if (!run || !resolve) return;
    run.replies.delete(msg.call);
    resolve(msg.ok ? `{"ok":true,"value":${msg.value ?? 'null'}}` : asJson({ ok: false, error: msg.error ?? { message: 'Host call failed', code: 'internal' } }));
  }

  /** Runs in progress (for a worker that must stop). */
  get running(): number {
    return this.active.size;
  }
}

/** Keep the script's own frames; drop the wrapper's (line 0 or negative) and anything else. */
function cleanStack(stack: string, filename: string): string {
  if (!stack) return '';
  const lines = stack.split('\n');
  const own = lines.slice(1).filter((line) => line.includes(filename) && !new RegExp(`${filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(-\\d+|0):`).test(line));
  return [lines[0], ...own].join('\n');
}
