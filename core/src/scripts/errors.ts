import { PlinthError, ValidationError, type FieldError } from '@plinth/sdk';

/** A line a script wrote (`ctx.log.*`, `console.*`), kept with its run. */
export interface ScriptLogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** ms since the run started. */
  at: number;
}

/** What one run cost. `heapBytes` is the isolate's heap in use after the run. */
export interface ScriptRunStats {
  durationMs: number;
  cpuMs: number;
  heapBytes: number;
  hostCalls: number;
}

/** What every script failure carries, so the caller can log the run. */
export interface ScriptFailureInfo {
  script: string;
  logs: readonly ScriptLogLine[];
  stats: ScriptRunStats | null;
}

const EMPTY: ScriptFailureInfo = { script: '', logs: [], stats: null };

/** The script itself failed: an uncaught exception (stack frames are the script's own). */
export class ScriptError extends PlinthError {
  readonly script: string;
  logs: readonly ScriptLogLine[];
  stats: ScriptRunStats | null;
  /** The error's name inside the script (TypeError, RangeError…), or `non-error` for `throw 42`. */
  readonly errorName: string;
  /** The script-side stack (only the script's own frames, at source positions when known). */
  readonly scriptStack: string | undefined;
  /** Where in the script's source it failed (the top frame), when known. */
  readonly location: { line: number; column: number } | undefined;

  constructor(
    message: string,
    info: Partial<ScriptFailureInfo> & { errorName?: string; scriptStack?: string; location?: { line: number; column: number }; code?: string; status?: number } = {},
  ) {
    // The operation a failing script belongs to cannot be done: 422, with the script named.
    super(info.status ?? 422, info.code ?? 'script-error', message);
    this.script = info.script ?? EMPTY.script;
    this.logs = info.logs ?? EMPTY.logs;
    this.stats = info.stats ?? EMPTY.stats;
    this.errorName = info.errorName ?? 'Error';
    this.scriptStack = info.scriptStack;
    this.location = info.location;
  }
}

export type ScriptLimitKind = 'cpu' | 'memory' | 'wall' | 'crash' | 'output';

/**
 * The run was stopped: over its CPU time, memory or wall-clock limit, its result was too
 * large, or the worker process hosting it died. The isolate (or worker) was replaced.
 */
export class ScriptLimitError extends ScriptError {
  constructor(
    readonly kind: ScriptLimitKind,
    message: string,
    info: Partial<ScriptFailureInfo> = {},
  ) {
    super(message, { ...info, code: `script-limit-${kind}`, errorName: 'ScriptLimitError' });
  }
}

/** The engine cannot take the call: closed, or its queue is full / the wait was too long. */
export class ScriptUnavailableError extends ScriptError {
  constructor(message: string, info: Partial<ScriptFailureInfo> = {}) {
    super(message, { ...info, code: 'script-unavailable', status: 503, errorName: 'ScriptUnavailableError' });
  }
}

/**
 * The script rejected the operation on purpose (`ctx.fail(message, errors)`): a 400 with
 * the script's message and field errors, shown to the user.
 */
export class ScriptRejection extends ValidationError {
  readonly script: string;
  logs: readonly ScriptLogLine[];
  stats: ScriptRunStats | null;

  constructor(message: string, errors: readonly FieldError[], info: Partial<ScriptFailureInfo> = {}) {
    super(errors, message);
    this.script = info.script ?? '';
    this.logs = info.logs ?? [];
    this.stats = info.stats ?? null;
  }
}

/** One syntax or type error, 1-based line and column in the script's source. */
export interface ScriptDiagnostic {
  line: number;
  column: number;
  message: string;
  /** `syntax`, `type` or `import`. */
  kind: 'syntax' | 'type' | 'import';
  /** TypeScript's error number, when there is one. */
  tsCode?: number;
}

/** A script that does not compile: every diagnostic with its line and column. */
export class ScriptCompileError extends PlinthError {
  constructor(
    readonly diagnostics: readonly ScriptDiagnostic[],
    script = '',
  ) {
    super(
      400,
      'script-compile',
      `${script ? `Script ${script}: ` : ''}${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}: ${diagnostics
        .slice(0, 3)
        .map((d) => `${d.line}:${d.column} ${d.message}`)
        .join('; ')}`,
      diagnostics.map((d) => ({ field: `source:${d.line}:${d.column}`, rule: d.kind, message: d.message })),
    );
  }
}
