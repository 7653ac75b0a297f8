#!/usr/bin/env node
'use strict';
/**
 * Custom-field benchmark: the same customer list page (20 rows filtered by city, sorted by
 * created_at desc, with total) on 20,000 customers without custom fields and on 20,000
 * customers with 20 custom fields added at runtime (all filled), MariaDB and the embedded
 * database, one platform after the other in the same run. The bar: ≥ 0.8 with the fields.
 * Two sets of customers: `sparse` (six of the 50 built-in fields set: the custom fields' share
 * of each row, and so their cost, is at its largest) and `full` (the demo generator's
 * customers, every built-in field a real record has, as bench/run.js uses).
 *
 * Env: BENCH_DURATION (s per round, default 5), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 32), BENCH_MYSQL_URL,
 *      BENCH_DBS (mariadb,sqlite), BENCH_CF_ROWS (sparse,full), BENCH_PROFILE=1 (--cpu-prof of both servers
 *      into .bench/profiles, named cf-<database>-<rows>-<none|with>.cpuprofile; summarise with bench/profile-top.js).
 */
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, DBS, median, mysqlAdmin, startPlatform, getLoad, summary, cpuMs, printTable } = require('./lib');

const DURATION = Number(process.env.BENCH_DURATION || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const PASSWORD = 'Bench-Pass-2026';
const ROWS = 20_000;
/** Customers a bulk request creates (a full one is ~1 KB of JSON: within the 1 MB body limit). */
const BATCH = 500;
const CITIES = ['上海', '北京', '广州', '深圳', '杭州', '南京', '成都', '武汉'];
const ROW_SETS = (process.env.BENCH_CF_ROWS || 'sparse,full').split(',');
const { demoCustomers } = require(path.join(ROOT, 'plugins', 'customers', 'dist', 'index.js'));

/** The built-in fields of customer `n` (0-based) in a row set; cities cycle through CITIES in both. */
const DEMO = ROW_SETS.includes('full') ? demoCustomers(ROWS, 1, 1) : [];
const builtIn = (rowSet, n) => (rowSet === 'full'
  ? { ...DEMO[n], city: CITIES[n % CITIES.length] }
  : { customerNo: `C${String(n + 1).padStart(8, '0')}`, name: `客户${n + 1}`, kind: 'person', status: 'active', city: CITIES[n % CITIES.length], level: ['vip', 'a', 'b', 'c'][n % 4] });
const label = (s) => ({ 'zh-CN': s, en: s });

/** Twenty fields of the usual kinds an insurer adds. */
const FIELDS = [
  ...Array.from({ length: 8 }, (_, i) => ({ name: `note${i}`, type: 'text' })),
  ...Array.from({ length: 4 }, (_, i) => ({ name: `amount${i}`, type: 'money' })),
  ...Array.from({ length: 3 }, (_, i) => ({ name: `count${i}`, type: 'integer' })),
  ...Array.from({ length: 2 }, (_, i) => ({ name: `day${i}`, type: 'date' })),
  { name: 'flag0', type: 'boolean' },
  { name: 'grade', type: 'choice', options: ['a', 'b', 'c'].map((v) => ({ value: v, label: label(v) })) },
  { name: 'memo', type: 'longText' },
];
const fieldValue = (f, n) => ({ text: `值${n}`, money: (n % 1000) + 0.5, integer: n % 97, date: '2026-03-01', boolean: n % 2 === 0, choice: 'abc'[n % 3], longText: '备注'.repeat(20) })[f.type];

/** One of the two platforms compared: database `name` on MariaDB, --cpu-prof with BENCH_PROFILE. */
async function platform(kind, name, rowSet) {
  const profileDir = path.join(ROOT, '.bench', 'profiles');
  if (process.env.BENCH_PROFILE) fs.mkdirSync(profileDir, { recursive: true });
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=cf-${kind}-${rowSet}-${name.replace(/^plinth_bench_cf_/, '')}.cpuprofile`] : [];
  return startPlatform({ kind, name, password: PASSWORD, nodeArgs: profile, env: { LOG_LEVEL: 'fatal', DB_POOL_SIZE: '10' } });
}

async function seed(p, rowSet, withFields) {
  if (withFields) for (const f of FIELDS) await p.api('POST', '/api/v1/meta/entities/customer/custom-fields', { ...f, label: label(f.name) });
  for (let batch = 0; batch < ROWS / BATCH; batch++) {
    const rows = Array.from({ length: BATCH }, (_, k) => {
      const n = batch * BATCH + k;
      const extra = withFields ? Object.fromEntries(FIELDS.map((f) => [f.name, fieldValue(f, n)])) : {};
      return { ...builtIn(rowSet, n), ...extra };
    });
    await p.api('POST', '/api/v1/customers/bulk', { create: rows });
  }
}

const LIST_PAGES = CITIES.map((city) => `/api/v1/customers?filter[city]=${encodeURIComponent(city)}&sort=-createdAt&limit=20&count=true`);

async function measure(p, seconds) {
  const cpuBefore = cpuMs(p.pid);
  const result = await getLoad({ base: p.base, paths: LIST_PAGES, headers: { authorization: `Bearer ${p.token}` }, connections: CONNECTIONS, seconds });
  // Server CPU per request: unlike req/s, barely moved by whatever else runs on the machine.
  const cpuPerRequest = (cpuMs(p.pid) - cpuBefore) / Math.max(1, result.requests.total);
  return { ...summary(result), cpuPerRequest };
}

async function main() {
  const rows = [];
  for (const kind of DBS) {
    for (const rowSet of ROW_SETS) {
      // Both platforms run side by side and are measured in alternating rounds, so that a
      // change in machine load hits both alike; the medians are compared.
      const none = await platform(kind, 'plinth_bench_cf_none', rowSet);
      const withFields = await platform(kind, 'plinth_bench_cf_with', rowSet).catch(async (err) => { await none.stop(); throw err; });
      try {
        await seed(none, rowSet, false);
        await seed(withFields, rowSet, true);
        if (kind === 'mariadb') for (const db of ['none', 'with']) await mysqlAdmin(`ANALYZE TABLE \`plinth_bench_cf_${db}\`.customers`);
        await measure(none, 2);
        await measure(withFields, 2);
        const runs = { none: [], with: [] };
        for (let round = 0; round < ROUNDS; round++) {
          runs.none.push(await measure(none, DURATION));
          runs.with.push(await measure(withFields, DURATION));
        }
        const pick = (list) => ({ rps: median(list.map((r) => r.rps)), p99: median(list.map((r) => r.p99)), cpu: median(list.map((r) => r.cpuPerRequest)), non2xx: list.reduce((a, r) => a + r.non2xx, 0), errors: list.reduce((a, r) => a + r.errors, 0) });
        const out = { none: pick(runs.none), with: pick(runs.with) };
        rows.push({ kind, rowSet, ...out, ratio: out.with.rps / out.none.rps, cpuRatio: out.none.cpu / out.with.cpu });
      } finally {
        await none.stop();
        await withFields.stop();
      }
    }
  }
  console.log(`\nCustom fields: customer list page of 20 (city filter, -createdAt, total) on ${ROWS.toLocaleString('en-US')} customers, ${CONNECTIONS} connections, median of ${ROUNDS} alternating rounds of ${DURATION} s`);
  printTable(['database', 'customers', 'no custom fields req/s', '20 custom fields req/s', 'p99 ms (none / 20)', 'ratio (bar ≥ 0.8)', 'server CPU ms/request (none / 20)', 'CPU ratio'],
    rows.map((r) => [r.kind, r.rowSet, Math.round(r.none.rps), Math.round(r.with.rps), `${r.none.p99} / ${r.with.p99}`, r.ratio.toFixed(2), `${r.none.cpu.toFixed(3)} / ${r.with.cpu.toFixed(3)}`, r.cpuRatio.toFixed(2)]));
  console.log('customers: sparse = six built-in fields set; full = every built-in field a real customer record has (the demo generator).');
  console.log('CPU ratio: server CPU per request without the fields / with them (what throughput would be on an otherwise idle machine, the server alone on its cores).');
  for (const r of rows) for (const k of ['none', 'with']) if (r[k].non2xx || r[k].errors) console.log(`WARNING: ${r.kind} ${r.rowSet} ${k}: ${r[k].non2xx} non-2xx, ${r[k].errors} errors`);
  fs.mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, '.bench/custom-fields.json'), JSON.stringify(rows, null, 2));
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
