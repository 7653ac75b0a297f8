'use strict';
/**
 * Plumbing shared by the benchmarks in this folder: starting the platform against a fresh
 * database and logging in, JSON calls, MariaDB administration, autocannon GET loads,
 * server CPU time, medians, page transfer sizes and markdown tables. What a benchmark
 * seeds, measures and prints stays in its own script.
 *
 * Env read here: BENCH_MYSQL_URL (MariaDB server without a database, default
 * mysql://root@127.0.0.1:3306) and BENCH_DBS (databases to run, default mariadb,sqlite).
 */
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawn } = require('node:child_process');
const autocannon = require('autocannon');
const mysql = require('mysql2/promise');

const ROOT = path.resolve(__dirname, '..');
const MYSQL = (process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const DBS = (process.env.BENCH_DBS || 'mariadb,sqlite').split(',').map((s) => s.trim());
const BUSINESS_PLUGINS = ['org', 'customers', 'contacts'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dbLabel = (kind) => (kind === 'mariadb' ? 'MariaDB' : 'SQLite');
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const alive = (child) => child.exitCode === null && child.signalCode === null;

// Every child process tracked here is killed when this process exits, however it exits.
const children = new Set();
process.on('exit', () => { for (const c of children) if (alive(c)) c.kill('SIGKILL'); });
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const freePort = () => new Promise((resolve, reject) => {
  const srv = net.createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
});

/** A JSON request with an optional bearer token; the status and the parsed body (undefined if none). */
async function request(base, method, url, token, body) {
  const res = await fetch(base + url, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** A JSON request that must succeed (status below 300): its parsed body. */
async function call(base, method, url, token, body) {
  const res = await request(base, method, url, token, body);
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${String(JSON.stringify(res.body)).slice(0, 500)}`);
  return res.body;
}

const login = async (base, username, password) => (await call(base, 'POST', '/api/v1/auth/login', null, { username, password })).token;

/** A browser session: the cookie header to send. */
async function cookieLogin(base, username, password) {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password, cookie: true }) });
  if (res.status !== 200) throw new Error(`cookie login ${username}: ${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

/** One statement on the MariaDB server (no database selected); its rows. */
async function mysqlAdmin(sql) {
  const conn = await mysql.createConnection(`${MYSQL}/`);
  try { return (await conn.query(sql))[0]; } finally { await conn.end(); }
}

const dropDatabase = (name) => mysqlAdmin(`DROP DATABASE IF EXISTS \`${name}\``);

/** A temporary plugins folder: the business plugins, plus the plugin folders given. */
function pluginsDir(...extra) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-plugins-'));
  for (const name of BUSINESS_PLUGINS) fs.symlinkSync(path.join(ROOT, 'plugins', name), path.join(dir, name));
  for (const plugin of extra) fs.symlinkSync(plugin, path.join(dir, path.basename(plugin)));
  return dir;
}

/** The platform's environment for a benchmark: no demo data, fixed encryption keys, quiet logs. */
function platformEnv({ port, databaseUrl, dataDir, password, env = {} }) {
  return { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'warn', DEMO_DATA: 'false', ADMIN_PASSWORD: password, ENCRYPTION_KEY: 'e'.repeat(64), ENCRYPTION_INDEX_KEY: 'f'.repeat(64), ...env };
}

async function waitReady(child, base) {
  for (let i = 0; ; i++) {
    if (!alive(child)) throw new Error(`the platform exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready`);
    try { if ((await fetch(`${base}/readyz`)).ok) return; } catch { /* starting */ }
    if (i > 600) throw new Error('platform did not start');
    await sleep(100);
  }
}

/**
 * Start the platform (core/dist/main.js) on a free port with a fresh database — on MariaDB
 * the database `name` (dropped first and when stopped), else the embedded one in a temporary
 * data folder — wait until it is ready and log in as admin.
 *
 * plugins: a plugins folder from pluginsDir() (removed when stopped); none: the default one.
 * env: more environment (or other values for LOG_LEVEL…). nodeArgs: node flags (--cpu-prof…).
 * stop(): lets the server finish what it has already read, stops it and removes what it
 * used (the MariaDB database too, unless keepDatabase).
 */
async function startPlatform({ kind, name, password, plugins, env, nodeArgs = [], keepDatabase = false }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${name.replace(/_/g, '-')}-`));
  let child = null;
  const stop = async () => {
    if (child && alive(child)) await sleep(500);
    if (child && alive(child)) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (plugins) fs.rmSync(plugins, { recursive: true, force: true });
    if (kind === 'mariadb' && !keepDatabase) await dropDatabase(name).catch(() => undefined);
  };
  try {
    if (kind === 'mariadb') await dropDatabase(name);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = track(spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'core/dist/main.js')], {
      cwd: ROOT,
      env: platformEnv({ port, databaseUrl: kind === 'mariadb' ? `${MYSQL}/${name}` : '', dataDir, password, env: { ...(plugins ? { PLUGINS_DIR: plugins } : {}), ...env } }),
      stdio: ['ignore', 'inherit', 'inherit'],
    }));
    await waitReady(child, base);
    const token = await login(base, 'admin', password);
    return { base, token, pid: child.pid, api: (method, url, body) => call(base, method, url, token, body), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A sales department (销售部) with a sales rep (role salesRep, `password`) of each name; the department and the users. */
async function salesDepartment(platform, names, password) {
  const dept = await platform.api('POST', '/api/v1/departments', { name: '销售部', kind: 'department', parent: null });
  const salesRep = (await platform.api('GET', '/api/v1/roles?limit=100')).data.find((r) => r.code === 'salesRep');
  const users = [];
  for (const name of names) {
    const u = await platform.api('POST', '/api/v1/users', { username: name, displayName: name, department: dept.id });
    await platform.api('POST', '/api/v1/userRoles', { user: u.id, role: salesRep.id });
    await platform.api('POST', `/api/v1/users/${u.id}/password`, { password, mustChange: false });
    users.push(u);
  }
  return { dept, users };
}

/** startPlatform, run `fn` with the platform and stop it, whatever happens; what `fn` returns. */
async function withPlatform(options, fn) {
  const platform = await startPlatform(options);
  try {
    return await fn(platform);
  } finally {
    await platform.stop();
  }
}

/** An autocannon run of GETs cycling over `paths`, each sent with `headers`. */
function getLoad({ base, paths, headers, connections, seconds }) {
  let i = 0;
  return autocannon({
    url: base, connections, duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: paths[i++ % paths.length], headers }) }],
  });
}

/** Throughput, latency and failures of an autocannon result. */
const summary = (r) => ({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors });

/** getLoad for `warmup` seconds, then measured for `seconds`; any non-2xx answer or error fails it. */
async function getRate({ warmup, seconds, ...load }) {
  await getLoad({ ...load, seconds: warmup });
  const r = summary(await getLoad({ ...load, seconds }));
  if (r.non2xx || r.errors) throw new Error(`${load.paths[0]}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return r;
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * JS and CSS a browser fetches for a page: its <script src> and <link rel=stylesheet>, and
 * the modules they import; bytes raw and gzipped (level 9), and the page's HTML.
 */
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
    const kind = asset.endsWith('.js') ? out.js : out.css;
    kind.files++;
    kind.raw += body.length;
    kind.gzip += zlib.gzipSync(body, { level: 9 }).length;
    if (asset.endsWith('.js')) for (const m of body.toString('utf8').matchAll(/from '\.\/([^']+)'/g)) queue.push(asset.replace(/[^/]+$/, m[1]));
  }
  return out;
}

/** Print a markdown table; the first `left` columns are aligned left, the others right. */
function printTable(head, rows, { left = 1 } = {}) {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map((h, i) => (i < left ? '-'.repeat(h.length + 2) : `${'-'.repeat(h.length + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

module.exports = {
  ROOT, MYSQL, DBS, sleep, dbLabel, fmtInt, median, track, freePort, request, call, login, cookieLogin,
  mysqlAdmin, dropDatabase, pluginsDir, platformEnv, startPlatform, withPlatform, salesDepartment, getLoad, summary, getRate, cpuMs, pageAssets, printTable,
};
