'use strict';
/**
 * Script engine throughput (isolated-vm in worker processes), without HTTP or a database.
 * Build first: `npx tsc -b`, then `node bench/scripts.js`.
 *
 * Environment:
 *   BENCH_DURATION      seconds per measurement (default 5, after a 1 s warm-up)
 *   BENCH_CONCURRENCY   calls in flight (default 16)
 *   BENCH_WORKERS       worker processes (default 2)
 *   BENCH_ISOLATES      isolates per worker (default 4)
 *
 * Measures: a trivial script; a hook-like script (validate + compute two fields) through the
 * pool; the same hook logic as a native function; and the latency of trivial calls while two
 * hostile scripts spin (each re-launched as soon as the CPU limit stops it).
 */
const path = require('node:path');
const { ScriptEngine } = require(path.join(__dirname, '..', 'core', 'dist', 'scripts', 'engine.js'));

const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const DURATION = num('BENCH_DURATION', 5) * 1000;
const CONCURRENCY = num('BENCH_CONCURRENCY', 16);

const HOOK_TS = `export default function (input: HookInput, ctx: ScriptContext): HookResult {
  const r = input.record;
  const errors = [];
  if (typeof r.name !== 'string' || r.name.trim() === '') errors.push({ field: 'name', rule: 'required', message: 'A name is required' });
  if (typeof r.quantity !== 'number' || r.quantity <= 0) errors.push({ field: 'quantity', rule: 'min', message: 'quantity must be positive' });
  if (typeof r.unitPrice !== 'number' || r.unitPrice < 0) errors.push({ field: 'unitPrice', rule: 'min', message: 'unitPrice must not be negative' });
  if (errors.length) ctx.fail('The order line is invalid', errors);
  const total = Math.round((r.quantity as number) * (r.unitPrice as number) * 100) / 100;
  const code = String(r.name).trim().slice(0, 3).toUpperCase() + '-' + String(r.quantity).padStart(4, '0');
  return { set: { total, code } };
}`;

function nativeHook(input) {
  const r = input.record;
  const errors = [];
  if (typeof r.name !== 'string' || r.name.trim() === '') errors.push({ field: 'name', rule: 'required', message: 'A name is required' });
  if (typeof r.quantity !== 'number' || r.quantity <= 0) errors.push({ field: 'quantity', rule: 'min', message: 'quantity must be positive' });
  if (typeof r.unitPrice !== 'number' || r.unitPrice < 0) errors.push({ field: 'unitPrice', rule: 'min', message: 'unitPrice must not be negative' });
  if (errors.length) throw new Error('invalid');
  const total = Math.round(r.quantity * r.unitPrice * 100) / 100;
  const code = String(r.name).trim().slice(0, 3).toUpperCase() + '-' + String(r.quantity).padStart(4, '0');
  return { set: { total, code } };
}

const hookInput = (i) => ({ event: 'beforeCreate', entity: 'orderLine', record: { name: `Widget ${i}`, quantity: (i % 50) + 1, unitPrice: 9.99, note: 'x'.repeat(100) } });

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

/** Run `call` from CONCURRENCY loops for `ms`; calls/s and latency percentiles (ms). */
async function measure(call, ms = DURATION, concurrency = CONCURRENCY) {
  const warm = Date.now() + 1000;
  let i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < warm) await call(i++);
  }));
  const latencies = [];
  const end = Date.now() + ms;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      const t = process.hrtime.bigint();
      await call(i++);
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((a, b) => a - b);
  return { callsPerSecond: Math.round(latencies.length / seconds), p50: +percentile(latencies, 50).toFixed(2), p99: +percentile(latencies, 99).toFixed(2) };
}

async function main() {
  const engine = new ScriptEngine({ workers: num('BENCH_WORKERS', 2), isolatesPerWorker: num('BENCH_ISOLATES', 4) });
  await engine.start();
  const compile = (name, source, language = 'js', kind = 'hook') => ({ name, version: 1, kind, js: engine.compiler.compile(source, { language, kind }).js, capabilities: [] });
  const trivial = compile('trivial', 'export default (input) => input.n + 1');
  const hook = compile('hook', HOOK_TS, 'ts');
  const spin = compile('spin', 'export default () => { for (;;) {} }');
  const results = {};

  results.trivial = await measure((i) => engine.run(trivial, { n: i }, { measure: false }));
  results.hook = await measure((i) => engine.run(hook, hookInput(i), { measure: false }));
  results.nativeHook = await measure(async (i) => nativeHook(hookInput(i)), 1000, 1);

  // Two hostile scripts spinning all the time (re-launched when stopped at their CPU limit).
  let spinning = true;
  let stopped = 0;
  const spinners = [1, 2].map(async () => {
    while (spinning) await engine.run(spin, {}).catch(() => stopped++);
  });
  results.trivialWhileSpinning = await measure((i) => engine.run(trivial, { n: i }, { measure: false }));
  results.trivialWhileSpinning.spinnersStopped = stopped;
  spinning = false;
  await Promise.all(spinners);

  const cfg = { workers: num('BENCH_WORKERS', 2), isolatesPerWorker: num('BENCH_ISOLATES', 4), concurrency: CONCURRENCY, seconds: DURATION / 1000, cpus: require('node:os').cpus().length, loadavg: require('node:os').loadavg().map((x) => +x.toFixed(2)) };
  console.log(JSON.stringify({ config: cfg, results }, null, 2));
  await engine.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
