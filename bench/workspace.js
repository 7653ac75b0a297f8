#!/usr/bin/env node
'use strict';
/**
 * Workspace page benchmark: server render time of the list page (20 rows of 100,000
 * customers, with the total count) and of a record page, as an administrator and as a
 * sales rep (scope "own"), against their JSON API calls in the same run (the baseline:
 * what the page costs beyond reading the data). Also the bytes a browser transfers for
 * the list page's JS and CSS (gzip; target: JS under 100 KB compressed).
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 16), BENCH_MYSQL_URL,
 * BENCH_DBS (default mariadb,sqlite), BENCH_CUSTOMERS (default 100000).
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
const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 16);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS || 100_000);
const PASSWORD = 'Bench-Pages-Pass-1';
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

/** A browser session: the cookie header to send. */
async function cookieLogin(base, username) {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD, cookie: true }) });
  if (res.status !== 200) throw new Error(`cookie login ${username}: ${res.status}`);
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
  await run(2);
  const r = await run(DURATION);
  if (r.non2xx || r.errors) throw new Error(`${paths[0]}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

/** JS and CSS a browser fetches for a page: its <script src> and <link rel=stylesheet>, and the modules they import. */
async function pageAssets(base, cookie, url) {
  const html = await (await fetch(base + url, { headers: { cookie } })).text();
  const queue = [...html.matchAll(/<script[^>]+src="([^"]+)"/g), ...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]);
  const seen = new Set();
  const out = { js: { raw: 0, gzip: 0, files: 0 }, css: { raw: 0, gzip: 0, files: 0 }, html: { raw: Buffer.byteLength(html), gzip: zlib.gzipSync(html).length } };
  while (queue.length) {
    const asset = queue.shift();
    if (seen.has(asset)) continue;
    seen.add(asset);
    const res = await fetch(base + asset, { headers: { 'accept-encoding': 'gzip' } });
    if (!res.ok) throw new Error(`${asset}: ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    const text = body.toString('utf8');
    const kind = asset.endsWith('.js') ? out.js : out.css;
    kind.files++;
    kind.raw += body.length;
    kind.gzip += zlib.gzipSync(body, { level: 9 }).length;
    if (asset.endsWith('.js')) for (const m of text.matchAll(/from '\.\/([^']+)'/g)) queue.push(asset.replace(/[^/]+$/, m[1]));
  }
  return out;
}

async function measure(kind) {
  const mysqlDb = 'plinth_bench_pages';
  if (kind === 'mariadb') await dropMysql(mysqlDb);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-pages-'));
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
    for (const name of ['rep1', 'rep2', 'rep3', 'rep4']) {
      const u = await call(base, 'POST', '/api/v1/users', admin, { username: name, displayName: name, department: dept.id });
      await call(base, 'POST', '/api/v1/userRoles', admin, { user: u.id, role: roles.find((r) => r.code === 'salesRep').id });
      await call(base, 'POST', `/api/v1/users/${u.id}/password`, admin, { password: PASSWORD, mustChange: false });
      users.push(u);
    }
    const started = Date.now();
    const levels = ['vip', 'a', 'b', 'c'];
    const cities = ['上海', '北京', '广州', '深圳', '杭州'];
    const ids = [];
    for (let i = 0; i < CUSTOMERS; i += 1000) {
      const create = Array.from({ length: Math.min(1000, CUSTOMERS - i) }, (_, j) => {
        const n = i + j + 1;
        return { customerNo: `C${String(n).padStart(8, '0')}`, name: `客户${n}`, kind: 'person', city: cities[n % 5], level: levels[n % 4], mobile: `138${String(n).padStart(8, '0')}`, owner: users[n % 4].id, department: dept.id };
      });
      const created = (await call(base, 'POST', '/api/v1/customers/bulk', admin, { create })).created;
      if (ids.length < 2000) ids.push(...created.filter((c) => c.owner === users[0].id).map((c) => c.id));
    }
    const seeded = (Date.now() - started) / 1000;
    const rep = (await call(base, 'POST', '/api/v1/auth/login', null, { username: 'rep1', password: PASSWORD })).token;
    const cookies = { admin: await cookieLogin(base, 'admin'), 'sales rep': await cookieLogin(base, 'rep1') };
    const tokens = { admin, 'sales rep': rep };
    const own = ids.slice(0, 500);
    const results = [];
    for (const who of ['admin', 'sales rep']) {
      const bearer = { authorization: `Bearer ${tokens[who]}` };
      const cookie = { cookie: cookies[who] };
      results.push({
        who,
        page: 'list (20 rows + total)',
        api: await rate(base, bearer, ['/api/v1/customers?limit=20&count=true&sort=-createdAt']),
        html: await rate(base, cookie, ['/app/customers']),
      });
      results.push({
        who,
        page: 'record',
        api: await rate(base, bearer, own.map((id) => `/api/v1/customers/${id}`)),
        html: await rate(base, cookie, own.map((id) => `/app/customers/${id}`)),
      });
    }
    return { results, seeded, assets: await pageAssets(base, cookies['sales rep'], '/app/customers') };
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
    const { results, seeded, assets } = await measure(kind);
    console.log(`\n${kind === 'mariadb' ? 'MariaDB' : 'SQLite'}, workspace pages over ${CUSTOMERS.toLocaleString('en-US')} customers (seeded in ${seeded.toFixed(0)} s), ${CONNECTIONS} connections, ${DURATION} s`);
    console.log('| caller | page | API req/s | API p50/p99 ms | page req/s | page p50 ms | page p99 ms | ratio page/API |');
    console.log('|--------|------|----------:|---------------:|-----------:|------------:|------------:|---------------:|');
    for (const r of results) {
      console.log(`| ${r.who} | ${r.page} | ${Math.round(r.api.rps).toLocaleString('en-US')} | ${r.api.p50}/${r.api.p99} | ${Math.round(r.html.rps).toLocaleString('en-US')} | ${r.html.p50} | ${r.html.p99} | ${(r.html.rps / r.api.rps).toFixed(2)} |`);
    }
    const kb = (n) => (n / 1024).toFixed(1);
    console.log(`List page transfer: HTML ${kb(assets.html.gzip)} KB gzip; JS ${assets.js.files} files, ${kb(assets.js.raw)} KB raw, ${kb(assets.js.gzip)} KB gzip (target < 100 KB); CSS ${assets.css.files} files, ${kb(assets.css.raw)} KB raw, ${kb(assets.css.gzip)} KB gzip`);
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
