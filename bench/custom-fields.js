#!/usr/bin/env node
'use strict';
/**
 * Custom-field benchmark: the same customer list page (20 rows filtered by city, sorted by
 * created_at desc, with total) on 20,000 customers without custom fields and on 20,000
 * customers with 20 custom fields added at runtime (all filled), MariaDB and the embedded
 * database, one platform after the other in the same run. The bar: ≥ 0.8 with the fields.
 *
 * Env: BENCH_DURATION (s per round, default 5), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 32), BENCH_MYSQL_URL,
 *      BENCH_DBS (mariadb,sqlite), BENCH_PROFILE=1 (--cpu-prof of both servers into .bench/profiles,
 *      named cf-<database>-<none|with>.cpuprofile; summarise with bench/profile-top.js).
 */
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const autocannon = require('autocannon');
const mysql = require('mysql2/promise');

const ROOT = path.resolve(__dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const SERVER = (process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const DBS = (process.env.BENCH_DBS || 'mariadb,sqlite').split(',');
const PASSWORD = 'Bench-Pass-2026';
const ROWS = 20_000;
const CITIES = ['上海', '北京', '广州', '深圳', '杭州', '南京', '成都', '武汉'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
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

const children = new Set();
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

const freePort = () => new Promise((resolve, reject) => {
  const srv = net.createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
});

async function call(base, method, url, token, body) {
  const res = await fetch(base + url, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json().catch(() => undefined);
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function mysqlAdmin(sql) {
  const conn = await mysql.createConnection(`${SERVER}/`);
  try { await conn.query(sql); } finally { await conn.end(); }
}

async function platform(kind, name) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-cf-'));
  let url;
  if (kind === 'mariadb') {
    await mysqlAdmin(`DROP DATABASE IF EXISTS \`${name}\``);
    url = `${SERVER}/${name}`;
  } else url = `sqlite:${path.join(dataDir, 'bench.db')}`;
  const profileDir = path.join(ROOT, '.bench', 'profiles');
  if (process.env.BENCH_PROFILE) fs.mkdirSync(profileDir, { recursive: true });
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=cf-${kind}-${name.replace(/^plinth_bench_cf_/, '')}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, path.join(ROOT, 'core/dist/main.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'fatal', DEMO_DATA: 'false', DB_POOL_SIZE: '10', ADMIN_PASSWORD: PASSWORD, ENCRYPTION_KEY: 'e'.repeat(64), ENCRYPTION_INDEX_KEY: 'f'.repeat(64) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* not yet */ }
    if (i > 600) throw new Error('platform did not start');
    await sleep(100);
  }
  const token = (await call(base, 'POST', '/api/v1/auth/login', null, { username: 'admin', password: PASSWORD })).token;
  return {
    base, token, pid: child.pid,
    api: (method, u, body) => call(base, method, u, token, body),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      children.delete(child);
      if (kind === 'mariadb') await mysqlAdmin(`DROP DATABASE IF EXISTS \`${name}\``);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function seed(p, withFields) {
  if (withFields) for (const f of FIELDS) await p.api('POST', '/api/v1/meta/entities/customer/custom-fields', { ...f, label: label(f.name) });
  for (let batch = 0; batch < ROWS / 1000; batch++) {
    const rows = Array.from({ length: 1000 }, (_, k) => {
      const n = batch * 1000 + k;
      const extra = withFields ? Object.fromEntries(FIELDS.map((f) => [f.name, fieldValue(f, n)])) : {};
      return { customerNo: `C${String(n + 1).padStart(8, '0')}`, name: `客户${n + 1}`, kind: 'person', status: 'active', city: CITIES[n % CITIES.length], level: ['vip', 'a', 'b', 'c'][n % 4], ...extra };
    });
    await p.api('POST', '/api/v1/customers/bulk', { create: rows });
  }
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function measure(p, seconds) {
  let i = 0;
  const cpuBefore = cpuMs(p.pid);
  const result = await autocannon({
    url: p.base, connections: CONNECTIONS, duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: `/api/v1/customers?filter[city]=${encodeURIComponent(CITIES[i++ % CITIES.length])}&sort=-createdAt&limit=20&count=true`, headers: { authorization: `Bearer ${p.token}` } }) }],
  });
  // Server CPU per request: unlike req/s, barely moved by whatever else runs on the machine.
  const cpuPerRequest = (cpuMs(p.pid) - cpuBefore) / Math.max(1, result.requests.total);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuPerRequest, non2xx: result.non2xx, errors: result.errors };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const rows = [];
  for (const kind of DBS) {
    // Both platforms run side by side and are measured in alternating rounds, so that a
    // change in machine load hits both alike; the medians are compared.
    const none = await platform(kind, 'plinth_bench_cf_none');
    const withFields = await platform(kind, 'plinth_bench_cf_with');
    try {
      await seed(none, false);
      await seed(withFields, true);
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
      rows.push({ kind, ...out, ratio: out.with.rps / out.none.rps, cpuRatio: out.none.cpu / out.with.cpu });
    } finally {
      await none.stop();
      await withFields.stop();
    }
  }
  console.log(`\nCustom fields: customer list page of 20 (city filter, -createdAt, total) on ${ROWS.toLocaleString('en-US')} customers, ${CONNECTIONS} connections, median of ${ROUNDS} alternating rounds of ${DURATION} s`);
  console.log('| database | no custom fields req/s | 20 custom fields req/s | p99 ms (none / 20) | ratio (bar ≥ 0.8) | server CPU ms/request (none / 20) | CPU ratio |');
  console.log('|----------|------:|------:|------:|------:|------:|------:|');
  for (const r of rows) console.log(`| ${r.kind} | ${Math.round(r.none.rps)} | ${Math.round(r.with.rps)} | ${r.none.p99} / ${r.with.p99} | ${r.ratio.toFixed(2)} | ${r.none.cpu.toFixed(3)} / ${r.with.cpu.toFixed(3)} | ${r.cpuRatio.toFixed(2)} |`);
  console.log('CPU ratio: server CPU per request without the fields / with them (what throughput would be on an otherwise idle machine, the server alone on its cores).');
  for (const r of rows) for (const k of ['none', 'with']) if (r[k].non2xx || r[k].errors) console.log(`WARNING: ${r.kind} ${k}: ${r[k].non2xx} non-2xx, ${r[k].errors} errors`);
  fs.mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, '.bench/custom-fields.json'), JSON.stringify(rows, null, 2));
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
