#!/usr/bin/env node
'use strict';
/**
 * Related-tab benchmark: `GET /customers/{id}/related` with 1 and with 10 tabs (each one
 * permission-filtered COUNT on the contacts' foreign key), against the baseline
 * `GET /customers/{id}` in the same run, as an administrator and as a sales rep (scope
 * "own"), over 2,000 customers with 10 contacts each. Target: ten tabs cost at most
 * 2.5 single-record reads (ratio ≥ 0.4).
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 16), BENCH_MYSQL_URL,
 * BENCH_DBS (default mariadb,sqlite).
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
const ROOT = path.resolve(__dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 16);
const CUSTOMERS = 2000;
const CONTACTS_EACH = 10;
const PASSWORD = 'Bench-Related-Pass-1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });
const dropMysql = async (name) => { const c = await mysql.createConnection(`${MYSQL}/`); try { await c.query(`DROP DATABASE IF EXISTS \`${name}\``); } finally { await c.end(); } };

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

function pluginsDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-plugins-'));
  for (const name of ['org', 'customers', 'contacts']) fs.symlinkSync(path.join(ROOT, 'plugins', name), path.join(dir, name));
  return dir;
}

/** Requests/s of GETs cycling over `paths`. */
async function rate(base, token, paths) {
  let i = 0;
  const run = (seconds) => autocannon({
    url: base, connections: CONNECTIONS, duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: paths[i++ % paths.length], headers: { authorization: `Bearer ${token}` } }) }],
  });
  await run(2);
  const r = await run(DURATION);
  if (r.non2xx || r.errors) throw new Error(`${paths[0]}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

async function measure(kind) {
  const mysqlDb = 'plinth_bench_related';
  if (kind === 'mariadb') await dropMysql(mysqlDb);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-related-'));
  const plugins = pluginsDir();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'core/dist/main.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: kind === 'mariadb' ? `${MYSQL}/${mysqlDb}` : '', DATA_DIR: data, PLUGINS_DIR: plugins, LOG_LEVEL: 'warn', DEMO_DATA: 'false', ADMIN_PASSWORD: PASSWORD, PASSWORD_REQUIRE: 'none', ENCRYPTION_KEY: 'e'.repeat(64), ENCRYPTION_INDEX_KEY: 'f'.repeat(64) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* starting */ }
      if (i > 600) throw new Error('platform did not start');
      await sleep(100);
    }
    const admin = (await call(base, 'POST', '/api/v1/auth/login', null, { username: 'admin', password: PASSWORD })).token;
    const dept = await call(base, 'POST', '/api/v1/departments', admin, { name: '销售部', kind: 'department', parent: null });
    const roles = (await call(base, 'GET', '/api/v1/roles?limit=100', admin)).data;
    const users = [];
    for (const name of ['rep1', 'rep2']) {
      const u = await call(base, 'POST', '/api/v1/users', admin, { username: name, displayName: name, department: dept.id });
      await call(base, 'POST', '/api/v1/userRoles', admin, { user: u.id, role: roles.find((r) => r.code === 'salesRep').id });
      await call(base, 'POST', `/api/v1/users/${u.id}/password`, admin, { password: PASSWORD, mustChange: false });
      users.push(u);
    }
    // Half the customers (and their contacts) belong to rep1: the scoped counts skip the rest.
    const ids = [];
    for (let i = 0; i < CUSTOMERS; i += 1000) {
      const create = Array.from({ length: 1000 }, (_, j) => ({ customerNo: `C${String(i + j + 1).padStart(8, '0')}`, name: `客户${i + j + 1}`, kind: 'person', owner: users[(i + j) % 2].id, department: dept.id }));
      ids.push(...(await call(base, 'POST', '/api/v1/customers/bulk', admin, { create })).created.map((c) => ({ id: c.id, owner: c.owner })));
    }
    for (let i = 0; i < ids.length; i += 100) {
      const create = ids.slice(i, i + 100).flatMap((c) => Array.from({ length: CONTACTS_EACH }, (_, k) => ({ customer: c.id, name: `联系人${k}`, owner: k % 2 ? c.owner : users[0].id, department: dept.id })));
      await call(base, 'POST', '/api/v1/contacts/bulk', admin, { create });
    }
    const login = async (username) => (await call(base, 'POST', '/api/v1/auth/login', null, { username, password: PASSWORD })).token;
    const rep = await login('rep1');
    const own = ids.filter((c) => c.owner === users[0].id).slice(0, 500).map((c) => c.id);
    const paths = (suffix) => own.map((id) => `/api/v1/customers/${id}${suffix}`);
    const results = [];
    for (const [who, token] of [['admin', admin], ['sales rep', rep]]) {
      const record = await rate(base, token, paths(''));
      const one = await rate(base, token, paths('/related'));
      const tabs = (await call(base, 'GET', `/api/v1/customers/${own[0]}/related`, token)).data;
      if (tabs.length < 1) throw new Error('no related tab');
      results.push({ who, tabs: 1, record, related: one });
    }
    for (let k = 2; k <= 10; k++) await call(base, 'POST', '/api/v1/relatedTabs', admin, { entity: 'customer', key: `tab${k}`, target: 'contact', foreignKey: 'customer' });
    for (const [who, token] of [['admin', admin], ['sales rep', rep]]) {
      const check = (await call(base, 'GET', `/api/v1/customers/${own[0]}/related`, token)).data;
      if (check.length !== 10) throw new Error(`expected 10 tabs, got ${check.length}`);
      const record = results.find((r) => r.who === who).record;
      results.push({ who, tabs: 10, record, related: await rate(base, token, paths('/related')), counts: check[0].count });
    }
    return results;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(plugins, { recursive: true, force: true });
    if (kind === 'mariadb') await dropMysql(mysqlDb).catch(() => undefined);
  }
}

(async () => {
  for (const kind of DBS) {
    const results = await measure(kind);
    console.log(`\n${kind === 'mariadb' ? 'MariaDB' : 'SQLite'}, related tabs of a customer (${CUSTOMERS} customers × ${CONTACTS_EACH} contacts), ${CONNECTIONS} connections, ${DURATION} s`);
    console.log('| caller | tabs | GET record req/s | GET related req/s | p50 ms | p99 ms | ratio to record |');
    console.log('|--------|-----:|-----------------:|------------------:|-------:|-------:|----------------:|');
    for (const r of results) {
      console.log(`| ${r.who} | ${r.tabs} | ${Math.round(r.record.rps).toLocaleString('en-US')} | ${Math.round(r.related.rps).toLocaleString('en-US')} | ${r.related.p50} | ${r.related.p99} | ${(r.related.rps / r.record.rps).toFixed(2)} |`);
    }
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
