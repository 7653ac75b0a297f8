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
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const autocannon = require('autocannon');
const mysql = require('mysql2/promise');
const MYSQL = (process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const DBS = (process.env.BENCH_DBS || 'mariadb,sqlite').split(',');
const dropMysql = async (name) => { const c = await mysql.createConnection(`${MYSQL}/`); try { await c.query(`DROP DATABASE IF EXISTS \`${name}\``); } finally { await c.end(); } };

const ROOT = path.resolve(__dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const PASSWORD = 'Bench-Hook-Pass-1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

const SCRIPT = `export default function (input: HookInput, ctx: ScriptContext) {
  const r = input.record as { name?: string; city?: string | null };
  const name = String(r.name ?? '');
  if (name.length < 2) ctx.fail('name too short', [{ field: 'name', rule: 'script', message: 'name too short' }]);
  return { set: { remarks: name + '/' + (r.city ?? ''), valueScore: Math.min(100, name.length * 10) } };
}`;

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

/** A plugins folder with the business plugins, plus the native hook plugin when asked. */
function pluginsDir(withNative) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-plugins-'));
  for (const name of ['org', 'customers', 'contacts']) fs.symlinkSync(path.join(ROOT, 'plugins', name), path.join(dir, name));
  if (withNative) fs.symlinkSync(path.join(__dirname, 'fixtures', 'hook-native'), path.join(dir, 'hook-native'));
  return dir;
}

/** A platform with the hook in place (native plugin or stored script), ready to take creates. */
async function platform(label, withNative, kind) {
  const mysqlDb = `plinth_bench_hooks_${withNative ? 'native' : 'script'}`;
  if (kind === 'mariadb') await dropMysql(mysqlDb);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-hooks-'));
  const plugins = pluginsDir(withNative);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'core/dist/main.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: kind === 'mariadb' ? `${MYSQL}/${mysqlDb}` : '', DATA_DIR: data, PLUGINS_DIR: plugins, LOG_LEVEL: 'warn', DEMO_DATA: 'false', ADMIN_PASSWORD: PASSWORD, ENCRYPTION_KEY: 'e'.repeat(64), ENCRYPTION_INDEX_KEY: 'f'.repeat(64) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    children.delete(child);
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(plugins, { recursive: true, force: true });
    if (kind === 'mariadb') await dropMysql(mysqlDb).catch(() => undefined);
  };
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* starting */ }
      if (i > 600) throw new Error('platform did not start');
      await sleep(100);
    }
    const token = (await call(base, 'POST', '/api/v1/auth/login', null, { username: 'admin', password: PASSWORD })).token;
    if (!withNative) await call(base, 'POST', '/api/v1/scripts', token, { name: 'bench-hook', kind: 'hook', target: 'customer:beforeCreate', language: 'ts', source: SCRIPT });
    const check = await call(base, 'POST', '/api/v1/customers', token, { customerNo: 'C99999999', name: '检查客户', kind: 'person', city: '上海' });
    if (check.remarks !== '检查客户/上海' || check.valueScore !== 40) throw new Error(`${label}: the hook did not run (${JSON.stringify(check)})`);
    let n = 0;
    const measure = async (seconds) => {
      const r = await autocannon({
        url: base, connections: CONNECTIONS, duration: seconds,
        requests: [{ setupRequest: (req) => ({ ...req, method: 'POST', path: '/api/v1/customers', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ customerNo: `C${String(++n).padStart(8, '0')}`, name: `客户${n}`, kind: 'person', city: '杭州' }) }) }],
      });
      return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
    };
    return { label, measure, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
    console.log(`\n${kind === 'mariadb' ? 'MariaDB' : 'SQLite'}, create with a before-create hook (validate + compute two fields), ${CONNECTIONS} connections, median of ${ROUNDS} alternating rounds of ${DURATION} s`);
    console.log('| hook | req/s | p50 ms | p99 ms | ratio to native |');
    console.log('|------|------:|-------:|-------:|----------------:|');
    for (const r of rows) console.log(`| ${r.label} | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.p50} | ${r.p99} | ${(r.rps / rows[0].rps).toFixed(2)} |`);
    for (const r of rows) if (r.non2xx || r.errors) console.log(`WARNING: ${r.label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
