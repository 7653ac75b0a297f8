/**
 * API-process side of the sandbox: N worker processes (child_process.fork), each hosting a
 * few isolates. Calls wait in a queue for a free slot; a worker that dies is replaced, and
 * the calls it was running fail with ScriptLimitError('crash') (or are retried once, see
 * `onExit`). Nothing a script does can stop this process: the isolates live elsewhere.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DoneMessage, FromWorker, HostCallMessage, HostErrorInfo, RunMessage, ToWorker } from './protocol';
import { ScriptLimitError, ScriptUnavailableError } from './errors';

export interface WorkerPoolOptions {
  /** Worker processes (default 2). */
  workers?: number;
  /** Isolates per worker = runs at once per worker (default 4). */
  isolatesPerWorker?: number;
  /** The worker entry; default: the compiled `worker.js` next to this file (or in core/dist). */
  workerPath?: string;
  /** Extra node flags for the workers (`--no-node-snapshot` is always added). */
  execArgv?: string[];
  /** Calls allowed to wait for a slot (default 1000); more fail with ScriptUnavailableError. */
  maxQueue?: number;
  /** Longest wait for a slot, ms (default 10 s). */
  queueTimeoutMs?: number;
  /** How long a worker may take to start, ms (default 20 s). */
  startTimeoutMs?: number;
  /** Past a run's wall deadline plus this, the API process kills the worker itself (default 2 s). */
  graceMs?: number;
  maxRunsPerIsolate?: number;
  scriptCacheSize?: number;
  cpuCheckMs?: number;
  /**
   * Scheduling priority of the worker processes (nice, 0–19; default 10): the operating
   * system prefers the API process and the database, so scripts that spin take CPU from
   * other scripts rather than from every request.
   */
  niceness?: number;
  /** Worker stderr (V8 prints its out-of-memory reports there). Default: this process's stderr. */
  onWorkerStderr?: (pid: number, text: string) => void;
  /** Worker lifecycle events, for the log. */
  onWorkerEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { type: 'started'; pid: number }
  | { type: 'exited'; pid: number; code: number | null; signal: NodeJS.Signals | null; running: number; reason: string };

/** The answer to a host call, from the engine. `value` is JSON text. */
export type HostReply = { ok: true; value: string } | { ok: false; error: HostErrorInfo };

export type RunRequest = Omit<RunMessage, 't' | 'id'>;

interface PoolCall {
  id: number;
  msg: RunMessage;
  onHost: (msg: HostCallMessage) => Promise<HostReply>;
  resolve: (done: DoneMessage) => void;
  reject: (err: Error) => void;
  urgent: boolean;
  retried: boolean;
  hostCalls: number;
  pendingHost: Set<Promise<unknown>>;
  worker: WorkerHandle | null;
  /** While queued: when waiting fails (ms, performance.now()). While running: when the API process gives up on the worker. */
  deadline: number;
  /** The API process killed the worker because this call was past its deadline. */
  overdue: boolean;
  settled: boolean;
}

/**
 * Code keys the pool remembers sending a worker, most recent last. The worker keeps the
 * code of twice as many (sandbox WORKER_CODES); both see the same sequence of keys, and an
 * LRU list of a bigger size always holds what a smaller one does, so code the pool leaves
 * out is there. Should it not be, the worker says so and the run is sent again with it.
 */
const POOL_SENT_CODES = 256;

interface WorkerHandle {
  proc: ChildProcess;
  sent: Map<string, true>;
  pid: number;
  ready: boolean;
  running: Map<number, PoolCall>;
  stderrTail: string;
  fatal: string | null;
  startedAt: number;
}

/** The compiled worker entry: next to this module in core/dist, or core/dist when running from sources. */
export function defaultWorkerPath(): string {
  const candidates = [path.join(__dirname, 'worker.js'), path.resolve(__dirname, '../../dist/scripts/worker.js')];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`The script worker entry was not found (looked for ${candidates.join(', ')}); run \`npx tsc -b\` first`);
  return found;
}

const OOM = /out[ -]of[ -]memory|is_heap_oom|allocation failed|invalid array length|Fatal JavaScript invalid size/i;

export class WorkerPool {
  private readonly workers = new Set<WorkerHandle>();
  private readonly queue: PoolCall[] = [];
  private readonly urgentQueue: PoolCall[] = [];
  private readonly calls = new Map<number, PoolCall>();
  private nextId = 1;
  private spawning = 0;
  private closed = false;
  private earlyDeaths = 0;
  private restarts = 0;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly options: Required<Omit<WorkerPoolOptions, 'onWorkerStderr' | 'onWorkerEvent' | 'maxRunsPerIsolate' | 'scriptCacheSize' | 'cpuCheckMs' | 'niceness'>> & WorkerPoolOptions;

  constructor(options: WorkerPoolOptions = {}) {
    this.options = {
      workers: 2,
      isolatesPerWorker: 4,
      maxQueue: 1000,
      queueTimeoutMs: 10_000,
      startTimeoutMs: 20_000,
      graceMs: 2000,
      execArgv: [],
      ...options,
      workerPath: options.workerPath ?? defaultWorkerPath(),
    };
    if (this.options.workers < 1 || this.options.isolatesPerWorker < 1) throw new Error('A script pool needs at least one worker and one isolate per worker');
  }

  /** Start the workers; resolves when all are ready (rejects if one cannot start). */
  async start(): Promise<void> {
    if (this.closed) throw new ScriptUnavailableError('The script engine is closed');
    this.sweeper ??= setInterval(() => this.sweep(), 100);
    this.sweeper.unref();
    const starts: Promise<void>[] = [];
    for (let i = this.workers.size; i < this.options.workers; i++) starts.push(this.spawn());
    await Promise.all(starts);
  }

  /** Slots (runs at once) across the pool. */
  get capacity(): number {
    return this.options.workers * this.options.isolatesPerWorker;
  }

  stats(): { workers: { pid: number; ready: boolean; running: number }[]; queued: number; restarts: number } {
    return {
      workers: [...this.workers].map((w) => ({ pid: w.pid, ready: w.ready, running: w.running.size })),
      queued: this.queue.length + this.urgentQueue.length,
      restarts: this.restarts,
    };
  }

  /**
   * Run one script. `onHost` answers its host calls. `urgent` calls (a script called by a
   * script) do not wait for a free slot, so nested calls cannot starve the pool.
   */
  run(request: RunRequest, onHost: (msg: HostCallMessage) => Promise<HostReply>, urgent = false): Promise<DoneMessage> {
    if (this.closed) return Promise.reject(new ScriptUnavailableError('The script engine is closed'));
    if (!urgent && this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new ScriptUnavailableError(`The script engine is overloaded (${this.queue.length} calls waiting)`));
    }
    return new Promise<DoneMessage>((resolve, reject) => {
      const id = this.nextId++;
      const call: PoolCall = {
        id,
        msg: { t: 'run', id, ...request },
        onHost,
        resolve,
        reject,
        urgent,
        retried: false,
        hostCalls: 0,
        pendingHost: new Set(),
        worker: null,
        deadline: 0,
        overdue: false,
        settled: false,
      };
      this.calls.set(id, call);
      this.enqueue(call);
      this.dispatch();
    });
  }

  private enqueue(call: PoolCall, front = false): void {
    const q = call.urgent ? this.urgentQueue : this.queue;
    if (front) q.unshift(call);
    else q.push(call);
    call.deadline = performance.now() + this.options.queueTimeoutMs;
  }

  /**
   * One timer for the whole pool (no timers per call): fail calls that waited too long for
   * a slot, and kill a worker that did not end a run past its deadline plus the grace time
   * (it is stuck; onExit cleans up).
   */
  private sweep(): void {
    const now = performance.now();
    for (const q of [this.queue, this.urgentQueue]) {
      for (let i = q.length - 1; i >= 0; i--) {
        const call = q[i];
        if (call.deadline > now) continue;
        q.splice(i, 1);
        this.settle(call, new ScriptUnavailableError(`No script slot became free within ${this.options.queueTimeoutMs} ms`));
      }
    }
    for (const w of this.workers) {
      for (const call of w.running.values()) {
        if (call.deadline > now || call.overdue) continue;
        call.overdue = true;
        w.proc.kill('SIGKILL');
      }
    }
  }

  private pick(urgent: boolean): WorkerHandle | null {
    let best: WorkerHandle | null = null;
    for (const w of this.workers) {
      if (!w.ready) continue;
      if (!urgent && w.running.size >= this.options.isolatesPerWorker) continue;
      if (!best || w.running.size < best.running.size) best = w;
    }
    return best;
  }

  private dispatch(): void {
    for (const [q, urgent] of [
      [this.urgentQueue, true],
      [this.queue, false],
    ] as const) {
      while (q.length) {
        const w = this.pick(urgent);
        if (!w) break;
        const call = q.shift()!;
        call.worker = w;
        call.deadline = performance.now() + call.msg.limits.wallMs + this.options.graceMs;
        w.running.set(call.id, call);
        this.sendRun(w, call);
      }
    }
  }

  /** Send a run, with its code only when this worker has not been sent it lately. */
  private sendRun(w: WorkerHandle, call: PoolCall): void {
    const key = call.msg.codeKey;
    const known = w.sent.delete(key);
    w.sent.set(key, true);
    while (w.sent.size > POOL_SENT_CODES) w.sent.delete(w.sent.keys().next().value as string);
    if (!known) return this.send(w, call.msg);
    const { code: _code, ...withoutCode } = call.msg;
    this.send(w, withoutCode);
  }

  private send(w: WorkerHandle, msg: ToWorker): void {
    try {
      w.proc.send(msg, (err) => {
        if (err && !w.proc.killed) w.proc.kill('SIGKILL');
      });
    } catch {
      w.proc.kill('SIGKILL');
    }
  }

  private spawn(): Promise<void> {
    this.spawning++;
    const cfg = {
      isolates: this.options.isolatesPerWorker,
      niceness: this.options.niceness ?? 10,
      maxRunsPerIsolate: this.options.maxRunsPerIsolate,
      scriptCacheSize: this.options.scriptCacheSize,
      cpuCheckMs: this.options.cpuCheckMs,
    };
    const execArgv = ['--no-node-snapshot', ...this.options.execArgv.filter((a) => a !== '--no-node-snapshot')];
    // A minimal environment: even a sandbox escape would find no configuration secrets here.
    const env: NodeJS.ProcessEnv = { PLINTH_SCRIPT_WORKER: JSON.stringify(cfg) };
    for (const k of ['PATH', 'LANG', 'TZ', 'SYSTEMROOT']) if (process.env[k] !== undefined) env[k] = process.env[k];
    const proc = fork(this.options.workerPath, [], { execArgv, env, serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    const w: WorkerHandle = { proc, sent: new Map(), pid: proc.pid ?? -1, ready: false, running: new Map(), stderrTail: '', fatal: null, startedAt: Date.now() };
    this.workers.add(w);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const timer = setTimeout(() => {
        if (!started) proc.kill('SIGKILL');
      }, this.options.startTimeoutMs);
      proc.stderr?.setEncoding('utf8');
      proc.stderr?.on('data', (text: string) => {
        w.stderrTail = (w.stderrTail + text).slice(-8192);
        if (this.options.onWorkerStderr) this.options.onWorkerStderr(w.pid, text);
        else process.stderr.write(text);
      });
      proc.on('message', (msg: FromWorker) => {
        if (msg.t === 'ready') {
          started = true;
          clearTimeout(timer);
          w.ready = true;
          this.spawning--;
          this.options.onWorkerEvent?.({ type: 'started', pid: w.pid });
          resolve();
          this.dispatch();
        } else this.onMessage(w, msg);
      });
      proc.on('error', () => {
        /* 'exit' follows */
      });
      proc.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (!started) {
          this.spawning--;
          this.earlyDeaths++;
          reject(new Error(`A script worker could not start (exit ${code ?? signal}): ${w.stderrTail.trim().slice(-2000)}`));
        }
        this.onExit(w, code, signal);
      });
    });
  }

  private onMessage(w: WorkerHandle, msg: FromWorker): void {
    if (msg.t === 'done') {
      const call = w.running.get(msg.id);
      if (!call) return;
      if (msg.outcome.kind === 'missing-code') {
        // Not expected (see POOL_SENT_CODES): send it again, code included.
        w.sent.delete(call.msg.codeKey);
        this.sendRun(w, call);
        return;
      }
      w.running.delete(msg.id);
      this.earlyDeaths = 0;
      this.afterHostCalls(call, () => this.settle(call, null, msg));
      this.dispatch();
    } else if (msg.t === 'host') {
      const call = w.running.get(msg.run);
      if (!call) return;
      call.hostCalls++;
      const p = call.onHost(msg).then(
        (reply) => reply,
        (err: unknown): HostReply => ({ ok: false, error: { message: err instanceof Error ? err.message : 'Host call failed', code: 'internal' } }),
      );
      call.pendingHost.add(p);
      void p.then((reply) => {
        call.pendingHost.delete(p);
        if (w.running.get(msg.run) !== call) return;
        this.send(w, reply.ok ? { t: 'host-reply', run: msg.run, call: msg.call, ok: true, value: reply.value } : { t: 'host-reply', run: msg.run, call: msg.call, ok: false, error: reply.error });
      });
    } else if (msg.t === 'fatal') {
      w.fatal = msg.message;
    }
  }

  /**
   * A run's promise settles only after its host calls have (up to `graceMs` more), so a
   * write does not land after the caller moved on (e.g. committed its transaction).
   */
  private afterHostCalls(call: PoolCall, fn: () => void): void {
    if (!call.pendingHost.size) return fn();
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.graceMs)));
    void Promise.race([Promise.allSettled([...call.pendingHost]), cap]).then(() => {
      clearTimeout(timer);
      fn();
    });
  }

  private settle(call: PoolCall, err: Error | null, done?: DoneMessage): void {
    if (call.settled) return;
    call.settled = true;
    this.calls.delete(call.id);
    if (err) call.reject(err);
    else call.resolve(done!);
  }

  /**
   * A worker died. Its calls fail: 'wall' for one the API process killed it over, 'memory'
   * when it ran a single call and V8 reported running out of memory, 'crash' otherwise. When
   * it ran several calls we cannot tell which one killed it: those that made no host call
   * (so have no side effects) get one more try on another worker.
   */
  private onExit(w: WorkerHandle, code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.workers.delete(w)) return;
    const wasReady = w.ready;
    w.ready = false;
    const calls = [...w.running.values()];
    w.running.clear();
    const oom = OOM.test(w.stderrTail) || (w.fatal !== null && OOM.test(w.fatal));
    const reason = w.fatal ? `isolated-vm catastrophic error: ${w.fatal}` : signal ? `killed by ${signal}` : `exit code ${code}`;
    this.options.onWorkerEvent?.({ type: 'exited', pid: w.pid, code, signal, running: calls.length, reason });
    for (const call of calls) {
      call.worker = null;
      const info = { script: call.msg.script, logs: [], stats: null };
      const name = `Script ${call.msg.script}: `;
      let err: Error | null;
      if (this.closed) err = new ScriptUnavailableError('The script engine closed while the script ran', info);
      else if (call.overdue) err = new ScriptLimitError('wall', `${name}The script did not finish within its ${call.msg.limits.wallMs} ms deadline; its worker was stopped`, info);
      else if (calls.length > 1 && call.hostCalls === 0 && !call.retried) {
        call.retried = true;
        this.enqueue(call, true);
        continue;
      } else if (calls.length === 1 && oom) err = new ScriptLimitError('memory', `${name}The script exhausted its memory and took down its worker process (${reason}); the worker was replaced`, info);
      else err = new ScriptLimitError('crash', `${name}The script's worker process died (${reason}); the worker was replaced`, info);
      this.afterHostCalls(call, () => this.settle(call, err));
    }
    if (!this.closed) {
      if (wasReady) this.restarts++;
      const delay = this.earlyDeaths ? Math.min(5000, 100 * 2 ** Math.min(this.earlyDeaths, 6)) : 0;
      setTimeout(() => {
        if (this.closed || this.workers.size + this.spawning >= this.options.workers) return;
        this.spawn().catch(() => {
          /* onExit of that worker schedules the next try */
        });
      }, delay).unref();
    }
    this.dispatch();
  }

  /** Stop all workers; waiting and running calls fail with ScriptUnavailableError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const q of [this.queue, this.urgentQueue]) {
      for (const call of q.splice(0)) {
        this.settle(call, new ScriptUnavailableError('The script engine is closed'));
      }
    }
    const exits = [...this.workers].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.proc.exitCode !== null || w.proc.signalCode !== null) return resolve();
          w.proc.once('exit', () => resolve());
          const t = setTimeout(() => w.proc.kill('SIGKILL'), 2000);
          t.unref();
          w.proc.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  }
}
