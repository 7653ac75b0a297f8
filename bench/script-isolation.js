#!/usr/bin/env node
'use strict';
/**
 * Script isolation under attack: latency of a plain GET (one customer record) on its own,
 * then while hostile endpoint scripts spin in endless loops (each stopped at its CPU limit
 * and called again at once). The scripts run in worker processes: the API process keeps
 * serving; what remains is the CPU the workers take from a small machine.
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 16), BENCH_SPINNERS
 * (hostile calls kept in flight, default 4), BENCH_DBS (default mariadb,sqlite), BENCH_MYSQL_URL.
 */
const autocannon = require('autocannon');
const { DBS, sleep, request, withPlatform, printTable } = require('./lib');

const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 16);
const SPINNERS = Number(process.env.BENCH_SPINNERS || 4);
const PASSWORD = 'Bench-Spin-Pass-1';

async function run(kind) {
  return withPlatform({ kind, name: 'plinth_bench_isolation', password: PASSWORD, env: { LOG_LEVEL: 'fatal' } }, async ({ base, token }) => {
    const created = await request(base, 'POST', '/api/v1/customers', token, { customerNo: 'C00000001', name: '客户', kind: 'person', status: 'active', city: '上海' });
    if (created.status !== 201) throw new Error(`customer: ${created.status}`);
    const saved = await request(base, 'POST', '/api/v1/scripts', token, { name: 'spin', kind: 'endpoint', target: 'spin', language: 'js', source: 'export default function () { for (;;) {} }' });
    if (saved.status !== 201) throw new Error(`script: ${saved.status} ${JSON.stringify(saved.body)}`);
    const measure = (seconds) => autocannon({ url: `${base}/api/v1/customers/${created.body.id}`, connections: CONNECTIONS, duration: seconds, headers: { authorization: `Bearer ${token}` } });
    await measure(2);
    const quiet = await measure(DURATION);
    let spinning = true;
    const stopped = { n: 0, other: 0 };
    const spinners = Array.from({ length: SPINNERS }, async () => {
      while (spinning) {
        const r = await request(base, 'POST', '/api/v1/x/spin', token, {});
        if (r.body && /limit/.test(String(r.body.code))) stopped.n++;
        else stopped.other++;
      }
    });
    await sleep(1000);
    const attacked = await measure(DURATION);
    spinning = false;
    await Promise.all(spinners);
    return { kind, quiet, attacked, stopped };
  });
}

(async () => {
  const rows = [];
  for (const kind of DBS) rows.push(await run(kind));
  console.log(`\nGET /api/v1/customers/{id}, ${CONNECTIONS} connections, ${DURATION} s: alone, and while ${SPINNERS} endless-loop endpoint scripts are kept running (each stopped at its 1 s CPU limit and called again)`);
  printTable(['database', 'alone req/s', 'alone p50 / p99 ms', 'under attack req/s', 'under attack p50 / p99 ms', 'hostile runs stopped'],
    rows.map((r) => [r.kind, Math.round(r.quiet.requests.average), `${r.quiet.latency.p50} / ${r.quiet.latency.p99}`, Math.round(r.attacked.requests.average), `${r.attacked.latency.p50} / ${r.attacked.latency.p99}`, `${r.stopped.n}${r.stopped.other ? ` (+${r.stopped.other} other)` : ''}`]));
  for (const r of rows) if (r.quiet.non2xx || r.attacked.non2xx) console.log(`WARNING: ${r.kind}: ${r.quiet.non2xx + r.attacked.non2xx} non-2xx answers`);
})().catch((err) => { console.error(err); process.exitCode = 1; });
