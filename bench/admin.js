#!/usr/bin/env node
'use strict';
/**
 * Admin screens benchmark: server render time (req/s, p50/p99) of the admin pages as a
 * system administrator over an organisation of BENCH_UNITS units and BENCH_USERS users
 * (whose creation also fills the operation log): the console index, the organisation tree
 * with a unit's members, the grant matrix of a role, an entity's fields, the operation log
 * (unfiltered and filtered), plugins, system parameters, menus, related tabs, scripts (list,
 * editor, run log) and a two-column desktop. Also the JS a browser fetches for the grant
 * matrix and the script editor.
 *
 * Env: BENCH_DURATION (s, default 5), BENCH_CONNECTIONS (default 8), BENCH_MYSQL_URL,
 * BENCH_DBS (default mariadb,sqlite), BENCH_UNITS (default 200), BENCH_USERS (default 2000).
 */
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawn } = require('node:child_process');
const autocannon = require('autocannon');
const mysql = require('mysql2/promise');

const MYSQL = (process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const DBS = (process.env.BENCH_DBS || 'mariadb,sqlite').split(',');
const ROOT = path.resolve(__dirname, '..');
const DURATION = Number(process.env.BENCH_DURATION || 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 8);
const UNITS = Number(process.env.BENCH_UNITS || 200);
const USERS = Number(process.env.BENCH_USERS || 2000);
const PASSWORD = 'Bench-Admin-Pass-1';
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

async function cookieLogin(base) {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD, cookie: true }) });
  if (res.status !== 200) throw new Error(`cookie login: ${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

function pluginsDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-plugins-'));
  for (const name of ['org', 'customers', 'contacts']) fs.symlinkSync(path.join(ROOT, 'plugins', name), path.join(dir, name));
  return dir;
}

async function rate(base, headers, paths) {
  let i = 0;
  const run = (seconds) => autocannon({
    url: base, connections: CONNECTIONS, duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: paths[i++ % paths.length], headers }) }],
  });
  await run(1);
  const r = await run(DURATION);
  if (r.non2xx || r.errors) throw new Error(`${paths[0]}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

/** JS a page makes the browser fetch: its module scripts and what they import (gzip). */
async function pageScripts(base, cookie, url) {
  const html = await (await fetch(base + url, { headers: { cookie } })).text();
  const queue = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]);
  const seen = new Set();
  const out = { files: 0, raw: 0, gzip: 0, html: zlib.gzipSync(html).length };
  while (queue.length) {
    const asset = queue.shift();
    if (seen.has(asset)) continue;
    seen.add(asset);
    const body = Buffer.from(await (await fetch(base + asset)).arrayBuffer());
    out.files++;
    out.raw += body.length;
    out.gzip += zlib.gzipSync(body, { level: 9 }).length;
    for (const m of body.toString('utf8').matchAll(/from '\.\/([^']+)'/g)) queue.push(asset.replace(/[^/]+$/, m[1]));
  }
  return out;
}

async function measure(kind) {
  const mysqlDb = 'plinth_bench_admin';
  if (kind === 'mariadb') await dropMysql(mysqlDb);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-admin-'));
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
    const started = Date.now();
    // Head office, branches, then departments under them.
    const hq = await call(base, 'POST', '/api/v1/departments', admin, { name: '总公司', kind: 'headquarters' });
    const branches = [];
    for (let b = 0; b < 5; b++) branches.push(await call(base, 'POST', '/api/v1/departments', admin, { name: `分公司${b + 1}`, kind: 'branch', parent: hq.id }));
    const units = [];
    const perBranch = Math.ceil((UNITS - 6) / branches.length);
    for (const [b, branch] of branches.entries()) {
      const create = Array.from({ length: perBranch }, (_, i) => ({ name: `部门${b + 1}-${i + 1}`, kind: 'department', parent: branch.id }));
      units.push(...(await call(base, 'POST', '/api/v1/departments/bulk', admin, { create })).created);
    }
    const roles = (await call(base, 'GET', '/api/v1/roles?limit=100', admin)).data;
    const salesRep = roles.find((r) => r.code === 'salesRep');
    for (let i = 0; i < USERS; i += 500) {
      const create = Array.from({ length: Math.min(500, USERS - i) }, (_, j) => ({ username: `u${i + j + 1}`, displayName: `用户${i + j + 1}`, department: units[(i + j) % units.length].id }));
      const created = (await call(base, 'POST', '/api/v1/users/bulk', admin, { create })).created;
      await call(base, 'POST', '/api/v1/userRoles/bulk', admin, { create: created.map((u) => ({ user: u.id, role: salesRep.id })) });
    }
    for (let i = 1; i <= 20; i++) await call(base, 'POST', '/api/v1/scripts', admin, { name: `bench-${i}`, kind: 'endpoint', target: `bench-${i}`, language: 'ts', source: `export default (input: EndpointInput) => ({ n: ${i}, method: input.method })` });
    const seeded = (Date.now() - started) / 1000;
    const cookie = { cookie: await cookieLogin(base) };
    const pages = [
      ['console index', ['/admin']],
      [`organisation: tree of ${units.length + 6} units, a unit with its members`, units.slice(0, 50).map((u) => `/admin/org?unit=${u.id}`)],
      ['grant matrix of a role', [`/admin/roles/${salesRep.id}`]],
      ['roles (users and grants counted)', ['/admin/roles']],
      ['custom fields of customers', ['/admin/fields/customer']],
      ['operation log, newest 50', ['/admin/audit']],
      ['operation log filtered (action, entity)', ['/admin/audit?action=create&entity=department']],
      ['plugins', ['/admin/plugins']],
      ['system parameters', ['/admin/parameters']],
      ['menus (tree with overlays)', ['/admin/menus']],
      ['related tabs of customers', ['/admin/related?entity=customer']],
      ['scripts: list of 20 with their last run', ['/admin/scripts']],
      ['script editor (versions, recent runs)', ['/admin/scripts/bench-1']],
      ['script run log', ['/admin/script-runs']],
      ['desktop in two columns', ['/']],
    ];
    const layout = await fetch(`${base}/api/v1/me/preferences/desktop.layout`, { method: 'PUT', headers: { ...cookie, 'content-type': 'application/json', 'x-csrf-token': /plinth_csrf=([^;]+)/.exec(cookie.cookie)?.[1] ?? '' }, body: JSON.stringify({ value: { columns: [['recent', 'links'], ['todo', 'messages']] } }) });
    if (!layout.ok) throw new Error(`desktop layout: ${layout.status}`);
    const results = [];
    for (const [page, paths] of pages) results.push({ page, ...(await rate(base, cookie, paths)) });
    return { results, seeded, units: units.length + 6, scripts: await pageScripts(base, cookie.cookie, `/admin/roles/${salesRep.id}`), editor: await pageScripts(base, cookie.cookie, '/admin/scripts/bench-1') };
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
    const { results, seeded, units, scripts, editor } = await measure(kind);
    console.log(`\n${kind === 'mariadb' ? 'MariaDB' : 'SQLite'}, admin pages over ${units} units and ${USERS.toLocaleString('en-US')} users (seeded in ${seeded.toFixed(0)} s), ${CONNECTIONS} connections, ${DURATION} s`);
    console.log('| page | req/s | p50 ms | p99 ms |');
    console.log('|------|------:|-------:|-------:|');
    for (const r of results) console.log(`| ${r.page} | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.p50} | ${r.p99} |`);
    const kb = (n) => (n / 1024).toFixed(1);
    console.log(`Grant matrix page: HTML ${kb(scripts.html)} KB gzip; JS ${scripts.files} files, ${kb(scripts.raw)} KB raw, ${kb(scripts.gzip)} KB gzip`);
    console.log(`Script editor page: HTML ${kb(editor.html)} KB gzip; JS ${editor.files} files, ${kb(editor.raw)} KB raw, ${kb(editor.gzip)} KB gzip`);
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
