#!/usr/bin/env node
'use strict';
/**
 * Hook benchmark: create throughput with a before-create hook that validates and computes
 * two fields, written (a) as a sandboxed script (isolated-vm, worker processes) and (b) as
 * native plugin code, measured in the same run, on MariaDB and on the embedded database.
 * Target ≥ 0.7.
 *
 * Both platforms run side by side, measured in alternating rounds (medians compared).
 *
 * Env: BENCH_DURATION (s per round, default 5), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS
 * (default 32), BENCH_MYSQL_URL, BENCH_DBS (default mariadb,sqlite).
 */
const path = require('node:path');
const autocannon = require('autocannon');
const { DBS, dbLabel, fmtInt, median, call, pluginsDir, startPlatform, summary, printTable } = require('./lib');

const DURATION = Number(process.env.BENCH_DURATION || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const PASSWORD = 'Bench-Hook-Pass-1';

const SCRIPT = `export default function (input: HookInput, ctx: ScriptContext) {
  const r = input.record as { name?: string; city?: string | null };
  const name = String(r.name ?? '');
  if (name.length < 2) ctx.fail('name too short', [{ field: 'name', rule: 'script', message: 'name too short' }]);
  return { set: { remarks: name + '/' + (r.city ?? ''), valueScore: Math.min(100, name.length * 10) } };
}`;

/** A platform with the hook in place (native plugin or stored script), ready to take creates. */
async function platform(label, withNative, kind) {
  const plugins = withNative ? pluginsDir(path.join(__dirname, 'fixtures', 'hook-native')) : pluginsDir();
  const p = await startPlatform({ kind, name: `plinth_bench_hooks_${withNative ? 'native' : 'script'}`, password: PASSWORD, plugins });
  const { base, token } = p;
  try {
    if (!withNative) await call(base, 'POST', '/api/v1/scripts', token, { name: 'bench-hook', kind: 'hook', target: 'customer:beforeCreate', language: 'ts', source: SCRIPT });
    const check = await call(base, 'POST', '/api/v1/customers', token, { customerNo: 'C99999999', name: '检查客户', kind: 'person', city: '上海' });
    if (check.remarks !== '检查客户/上海' || check.valueScore !== 40) throw new Error(`${label}: the hook did not run (${JSON.stringify(check)})`);
    let n = 0;
    const measure = async (seconds) => summary(await autocannon({
      url: base, connections: CONNECTIONS, duration: seconds,
      requests: [{ setupRequest: (req) => ({ ...req, method: 'POST', path: '/api/v1/customers', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ customerNo: `C${String(++n).padStart(8, '0')}`, name: `客户${n}`, kind: 'person', city: '杭州' }) }) }],
    }));
    return { label, measure, stop: p.stop };
  } catch (err) {
    await p.stop();
    throw err;
  }
}

(async () => {
  for (const kind of DBS) {
    // Both platforms run side by side and are measured in alternating rounds, so that a
    // change in machine load hits both alike; the medians are compared.
    const native = await platform('native TypeScript hook', true, kind);
    const script = await platform('sandboxed script hook', false, kind).catch(async (err) => { await native.stop(); throw err; });
    const runs = { native: [], script: [] };
    try {
      await native.measure(2);
      await script.measure(2);
      for (let round = 0; round < ROUNDS; round++) {
        runs.native.push(await native.measure(DURATION));
        runs.script.push(await script.measure(DURATION));
      }
    } finally {
      await native.stop();
      await script.stop();
    }
    const pick = (label, list) => ({ label, rps: median(list.map((r) => r.rps)), p50: median(list.map((r) => r.p50)), p99: median(list.map((r) => r.p99)), non2xx: list.reduce((a, r) => a + r.non2xx, 0), errors: list.reduce((a, r) => a + r.errors, 0) });
    const rows = [pick(native.label, runs.native), pick(script.label, runs.script)];
    console.log(`\n${dbLabel(kind)}, create with a before-create hook (validate + compute two fields), ${CONNECTIONS} connections, median of ${ROUNDS} alternating rounds of ${DURATION} s`);
    printTable(['hook', 'req/s', 'p50 ms', 'p99 ms', 'ratio to native'], rows.map((r) => [r.label, fmtInt(r.rps), r.p50, r.p99, (r.rps / rows[0].rps).toFixed(2)]));
    for (const r of rows) if (r.non2xx || r.errors) console.log(`WARNING: ${r.label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
