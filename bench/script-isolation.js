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
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const autocannon = require('autocannon');
const mysql = require('mysql2/promise');

const ROOT = path.resolve(__dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 16);
const SPINNERS = Number(process.env.BENCH_SPINNERS || 4);
const DBS = (process.env.BENCH_DBS || 'mariadb,sqlite').split(',');
const MYSQL = (process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const MYSQL_DB = 'plinth_bench_isolation';
const PASSWORD = 'Bench-Spin-Pass-1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

const dropMysql = async () => { const c = await mysql.createConnection(`${MYSQL}/`); try { await c.query(`DROP DATABASE IF EXISTS \`${MYSQL_DB}\``); } finally { await c.end(); } };
const freePort = () => new Promise((resolve, reject) => {
  const srv = net.createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
});

async function call(base, method, url, token, body) {
  const res = await fetch(base + url, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json().catch(() => undefined);
  return { status: res.status, body: json };
}

async function run(kind) {
  if (kind === 'mariadb') await dropMysql();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-spin-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'core/dist/main.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: kind === 'mariadb' ? `${MYSQL}/${MYSQL_DB}` : '', DATA_DIR: data, LOG_LEVEL: 'fatal', DEMO_DATA: 'false', ADMIN_PASSWORD: PASSWORD, ENCRYPTION_KEY: 'e'.repeat(64), ENCRYPTION_INDEX_KEY: 'f'.repeat(64) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* starting */ }
      if (i > 600) throw new Error('platform did not start');
      await sleep(100);
    }
    const token = (await call(base, 'POST', '/api/v1/auth/login', null, { username: 'admin', password: PASSWORD })).body.token;
    const created = await call(base, 'POST', '/api/v1/customers', token, { customerNo: 'C00000001', name: '客户', kind: 'person', status: 'active', city: '上海' });
    if (created.status !== 201) throw new Error(`customer: ${created.status}`);
    const saved = await call(base, 'POST', '/api/v1/scripts', token, { name: 'spin', kind: 'endpoint', target: 'spin', language: 'js', source: 'export default function () { for (;;) {} }' });
    if (saved.status !== 201) throw new Error(`script: ${saved.status} ${JSON.stringify(saved.body)}`);
    const measure = (seconds) => autocannon({ url: `${base}/api/v1/customers/${created.body.id}`, connections: CONNECTIONS, duration: seconds, headers: { authorization: `Bearer ${token}` } });
    await measure(2);
    const quiet = await measure(DURATION);
    let spinning = true;
    const stopped = { n: 0, other: 0 };
    const spinners = Array.from({ length: SPINNERS }, async () => {
      while (spinning) {
        const r = await call(base, 'POST', '/api/v1/x/spin', token, {});
        if (r.body && /limit/.test(String(r.body.code))) stopped.n++;
        else stopped.other++;
      }
    });
    await sleep(1000);
    const attacked = await measure(DURATION);
    spinning = false;
    await Promise.all(spinners);
    return { kind, quiet, attacked, stopped };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(data, { recursive: true, force: true });
    if (kind === 'mariadb') await dropMysql().catch(() => undefined);
  }
}

(async () => {
  const rows = [];
  for (const kind of DBS) rows.push(await run(kind));
  console.log(`\nGET /api/v1/customers/{id}, ${CONNECTIONS} connections, ${DURATION} s: alone, and while ${SPINNERS} endless-loop endpoint scripts are kept running (each stopped at its 1 s CPU limit and called again)`);
  console.log('| database | alone req/s | alone p50 / p99 ms | under attack req/s | under attack p50 / p99 ms | hostile runs stopped |');
  console.log('|----------|------:|------:|------:|------:|------:|');
  for (const r of rows) {
    console.log(`| ${r.kind} | ${Math.round(r.quiet.requests.average)} | ${r.quiet.latency.p50} / ${r.quiet.latency.p99} | ${Math.round(r.attacked.requests.average)} | ${r.attacked.latency.p50} / ${r.attacked.latency.p99} | ${r.stopped.n}${r.stopped.other ? ` (+${r.stopped.other} other)` : ''} |`);
    if (r.quiet.non2xx || r.attacked.non2xx) console.log(`WARNING: ${r.kind}: ${r.quiet.non2xx + r.attacked.non2xx} non-2xx answers`);
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
