/**
 * Sandboxed scripts: isolated-vm isolates in worker processes, the host API bridge, the
 * TypeScript compiler, storage and the stored-script runtime. See docs/scripts.md.
 */
export { ScriptEngine, SCRIPT_CAPABILITIES, SCRIPT_KINDS, type RunnableScript, type RunOptions, type ScriptRunResult, type ScriptEngineOptions } from './engine';
export { WorkerPool, defaultWorkerPath, type WorkerPoolOptions, type WorkerEvent } from './pool';
export { ScriptCompiler, scriptTypingsPath, scriptGlobalsSource, type CompileOptions, type ScriptLanguage } from './compiler';
export { DataContextScriptHost, ScriptHostError, type ScriptHost, type ScriptHostServices, type ScriptCaller, type ScriptWrite } from './host';
export {
  ScriptError,
  ScriptLimitError,
  ScriptRejection,
  ScriptUnavailableError,
  ScriptCompileError,
  type ScriptLimitKind,
  type ScriptDiagnostic,
  type ScriptLogLine,
  type ScriptRunStats,
} from './errors';
export { DEFAULT_LIMITS, LIMIT_CEILINGS, resolveLimits, type ScriptLimits } from './limits';
export { scriptSchema, scriptRunSchema, scriptSchemas } from './schema';
export { ScriptRepository, type StoredScript, type NewScriptVersion, type ScriptRunRecord, type StoredScriptRun, type ScriptRunStatus, type RunQuery } from './repository';
export { ScriptRuntime, toRunnable, type ScriptDefinition, type ScriptRunContext, type ScriptRuntimeOptions, type DryRunResult } from './runtime';
export { scriptEntityHooks, type ScriptHookOptions } from './entity-hooks';
