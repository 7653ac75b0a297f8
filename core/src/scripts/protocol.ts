/**
 * Messages between the API process (the pool) and a script worker process. Values that come
 * from or go to a script travel as JSON text, so nothing but data ever crosses.
 */
import type { ScriptLimits } from './limits';
import type { ScriptLogLine, ScriptRunStats } from './errors';

/** Host operations a script can ask for (the capability each needs is checked by the API process). */
export type HostOp =
  | 'records.list'
  | 'records.get'
  | 'records.count'
  | 'records.create'
  | 'records.update'
  | 'records.delete'
  | 'notify.send'
  | 'params.get'
  | 'dictionaries.items'
  | 'scripts.call';

/** API process → worker: run a script. */
export interface RunMessage {
  t: 'run';
  id: number;
  /** The script's name (messages only). */
  script: string;
  /**
   * Compiled JavaScript (CommonJS module body). Left out when this worker was already sent
   * `codeKey` (the pool remembers what it sent each worker; the worker keeps more).
   */
  code?: string;
  /** Identifies the code: changes when the code does. */
  codeKey: string;
  filename: string;
  /** JSON text of the input. */
  input: string;
  /** JSON text of the read-only `ctx.actor` / `ctx.script` values. */
  meta: string;
  limits: ScriptLimits;
  /** Whether `ctx.log` / `console` may write (the `log` capability). */
  canLog: boolean;
  /** Report the isolate's heap after a successful run (costs ~40 µs; failures always report it). */
  measure: boolean;
}

/** API process → worker: the answer to a host call. `value` is JSON text. */
export interface HostReplyMessage {
  t: 'host-reply';
  run: number;
  call: number;
  ok: boolean;
  value?: string;
  error?: HostErrorInfo;
}

export type ToWorker = RunMessage | HostReplyMessage;

/** Worker → API process: the worker has its isolated-vm loaded and takes work. */
export interface ReadyMessage {
  t: 'ready';
  pid: number;
}

/** Worker → API process: a script asks the host for something. `args` is JSON text of an array. */
export interface HostCallMessage {
  t: 'host';
  run: number;
  call: number;
  op: string;
  args: string;
}

/** What a host call failure looks like on both sides of the boundary. */
export interface HostErrorInfo {
  message: string;
  code: string;
  errors?: { field: string; rule: string; message: string }[];
}

/** How a run ended, as the worker saw it. `missing-code`: the run came without code the worker does not have; the pool sends it again with its code. */
export type RunOutcome =
  | { kind: 'ok'; value: string }
  | { kind: 'missing-code' }
  | { kind: 'error'; name: string; message: string; stack?: string; code?: string }
  | { kind: 'reject'; message: string; errors: { field: string; rule: string; message: string }[] }
  | { kind: 'limit'; limit: 'cpu' | 'memory' | 'wall' | 'output'; message: string };

/** Worker → API process: a run finished. */
export interface DoneMessage {
  t: 'done';
  id: number;
  outcome: RunOutcome;
  logs: ScriptLogLine[];
  stats: ScriptRunStats;
}

/** Worker → API process: isolated-vm reported a catastrophic error; the worker aborts next. */
export interface FatalMessage {
  t: 'fatal';
  message: string;
}

export type FromWorker = ReadyMessage | HostCallMessage | DoneMessage | FatalMessage;
