import type { ScriptKind, ScriptLimitsDef } from '@plinth/sdk';

/** The limits of one run, resolved. */
export interface ScriptLimits {
  /** Isolate heap, MB (isolated-vm's minimum is 8). */
  memoryMb: number;
  /** CPU time spent in the isolate, ms. */
  cpuMs: number;
  /** Wall-clock deadline from the start of the run, ms: a promise that never settles is ended here. */
  wallMs: number;
  /** Largest result, in characters of JSON. */
  maxOutputBytes: number;
  /** Log lines kept per run (the rest are counted, not kept). */
  maxLogLines: number;
  /** Host calls per run. */
  maxHostCalls: number;
  /** Host calls running at once per run (more wait their turn). */
  maxConcurrentHostCalls: number;
  /** Largest argument payload of one host call, characters of JSON. */
  maxHostArgBytes: number;
}

const BASE = { memoryMb: 32, maxOutputBytes: 1 << 20, maxLogLines: 200, maxHostCalls: 1000, maxConcurrentHostCalls: 8, maxHostArgBytes: 1 << 20 };

/** Defaults per kind: hooks and validations run inside a user's request, jobs in the background. */
export const DEFAULT_LIMITS: Readonly<Record<ScriptKind, ScriptLimits>> = {
  hook: { ...BASE, cpuMs: 100, wallMs: 2000 },
  validation: { ...BASE, cpuMs: 100, wallMs: 2000 },
  computed: { ...BASE, cpuMs: 100, wallMs: 2000 },
  flow: { ...BASE, cpuMs: 250, wallMs: 5000 },
  endpoint: { ...BASE, cpuMs: 1000, wallMs: 10_000 },
  subscriber: { ...BASE, cpuMs: 1000, wallMs: 10_000 },
  job: { ...BASE, cpuMs: 10_000, wallMs: 120_000, maxHostCalls: 100_000 },
};

/** Upper bounds a script's own limits cannot go past. */
export const LIMIT_CEILINGS: Readonly<ScriptLimits> = {
  memoryMb: 256,
  cpuMs: 60_000,
  wallMs: 600_000,
  maxOutputBytes: 16 << 20,
  maxLogLines: 10_000,
  maxHostCalls: 1_000_000,
  maxConcurrentHostCalls: 64,
  maxHostArgBytes: 16 << 20,
};

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The limits of a run: the kind's defaults, then the script's own, clamped to the ceilings. */
export function resolveLimits(kind: ScriptKind, overrides: ScriptLimitsDef & Partial<ScriptLimits> = {}, ceilings: ScriptLimits = LIMIT_CEILINGS): ScriptLimits {
  const base = DEFAULT_LIMITS[kind] ?? DEFAULT_LIMITS.hook;
  const out = { ...base };
  for (const key of Object.keys(base) as (keyof ScriptLimits)[]) {
    const v = overrides[key];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[key] = Math.floor(v);
  }
  out.memoryMb = clamp(out.memoryMb, 8, ceilings.memoryMb);
  for (const key of Object.keys(out) as (keyof ScriptLimits)[]) if (key !== 'memoryMb') out[key] = clamp(out[key], 1, ceilings[key]);
  return out;
}
