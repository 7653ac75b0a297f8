'use strict';
/**
 * Platform vs hand-written baseline (bench/baseline/server.js), on MariaDB and on the
 * embedded SQLite file. Run with `npm run bench` (builds first).
 *
 * Environment:
 *   BENCH_DBS          databases to run, comma separated: mariadb,sqlite (default both)
 *   BENCH_DURATION     seconds per measurement (default 10); each is preceded by a 2 s warm-up
 *   BENCH_CONNECTIONS  autocannon connections (default 32)
 *   BENCH_ENDPOINTS    endpoints to measure: list,get,create,update (default all)
 *   BENCH_MYSQL_URL    server URL without a database (default mysql://root@127.0.0.1:3306)
 *   BENCH_PROFILE      platform | baseline | all (1 = platform): start that server with --cpu-prof;
 *                      profiles go to .bench/profiles (summarise with `node bench/profile-top.js <file>`)
 *
 * Results are printed and written to .bench/results.json.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');
const autocannon = require('autocannon');
const { ROOT, MYSQL, sleep, freePort, mysqlAdmin, dropDatabase } = require('./lib');

const BENCH_DIR = path.join(ROOT, '.bench');
const RESULTS_FILE = path.join(BENCH_DIR, 'results.json');
const PLATFORM_MAIN = path.join(ROOT, 'core', 'dist', 'main.js');
const BASELINE_MAIN = path.join(__dirname, 'baseline', 'server.js');
const { demoCustomers } = require(path.join(ROOT, 'plugins', 'customers', 'dist', 'index.js'));

const SEED_TOTAL = 20_000;
const SEED_BATCH = 1_000;
const WARMUP_SECONDS = 2;
const MYSQL_DB = 'plinth_bench';

function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  return Number(raw);
}

function list(name, allowed, fallback) {
  const raw = process.env[name];
  const items = raw ? raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : fallback;
  for (const item of items) if (!allowed.includes(item)) throw new Error(`${name}: unknown value "${item}" (use ${allowed.join(',')})`);
  if (!items.length) throw new Error(`${name} is empty`);
  return items;
}

const DB_LABEL = { mariadb: 'MariaDB', sqlite: 'SQLite (embedded)' };
const ENDPOINTS = ['list', 'get', 'create', 'update'];

// ---------------------------------------------------------------------------------------
// Child processes: every one is tracked and killed on the way out, whatever happens.
// ---------------------------------------------------------------------------------------
const children = new Set();
const scratchDirs = new Set();

function startChild(name, args, env) {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const child = { name, proc, tail: [], exited: null };
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) if (line.trim()) child.tail.push(line);
    if (child.tail.length > 60) child.tail.splice(0, child.tail.length - 60);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  child.exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  child.exited.then(() => children.delete(child));
  proc.once('error', (err) => keep(`spawn error: ${err.message}`));
  children.add(child);
  return child;
}

const alive = (child) => child.proc.exitCode === null && child.proc.signalCode === null;

function assertAlive(child) {
  if (!alive(child)) throw new Error(`${child.name} exited unexpectedly (code ${child.proc.exitCode}, signal ${child.proc.signalCode}):\n  ${child.tail.join('\n  ')}`);
}

async function stopChild(child) {
  if (!child || !alive(child)) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => alive(child) && child.proc.kill('SIGKILL'), 10_000);
  await child.exited;
  clearTimeout(timer);
}

async function stopAll() {
  await Promise.all([...children].map(stopChild));
}

process.on('exit', () => {
  for (const child of children) if (alive(child)) child.proc.kill('SIGKILL');
  for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
});
/** Async clean-ups still to run (dropping the benchmark database) if we are interrupted. */
const pendingCleanups = new Set();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n${signal}: stopping the servers and cleaning up`);
    for (const child of children) if (alive(child)) child.proc.kill('SIGKILL');
    const timeout = sleep(5_000);
    Promise.race([Promise.allSettled([...pendingCleanups].map((fn) => fn())), timeout]).finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------
async function waitReady(child, url, timeoutMs = 60_000) {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeoutMs) {
    assertAlive(child);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    await sleep(100);
  }
  throw new Error(`${child.name} not ready after ${timeoutMs / 1000} s (${last}):\n  ${child.tail.join('\n  ')}`);
}

async function http(method, url, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(120_000) });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

async function expectOk(what, promise) {
  const res = await promise;
  if (res.status < 200 || res.status > 299) throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 500)}`);
  return res.json;
}

const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const customerNo = (n) => `C${String(n).padStart(8, '0')}`;

function shuffle(items, seed) {
  const out = [...items];
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------
function databaseSetup(kind, runId) {
  if (kind === 'mariadb') {
    const dataDir = path.join(BENCH_DIR, `mariadb-${runId}`);
    return {
      url: `${MYSQL}/${MYSQL_DB}`,
      dataDir,
      async prepare() {
        fs.mkdirSync(dataDir, { recursive: true });
        scratchDirs.add(dataDir);
        await dropDatabase(MYSQL_DB);
      },
      distinctCities: async () => (await mysqlAdmin(`SELECT DISTINCT city FROM \`${MYSQL_DB}\`.customers WHERE deleted_at IS NULL AND city IS NOT NULL ORDER BY city`)).map((r) => r.city),
      async cleanup() {
        await dropDatabase(MYSQL_DB);
        fs.rmSync(dataDir, { recursive: true, force: true });
        scratchDirs.delete(dataDir);
      },
    };
  }
  const dataDir = path.join(BENCH_DIR, `sqlite-${runId}`);
  return {
    url: '',
    dataDir,
    async prepare() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.mkdirSync(dataDir, { recursive: true });
      scratchDirs.add(dataDir);
    },
    async distinctCities() {
      const Database = require('libsql');
      const db = new Database(path.join(dataDir, 'plinth.db'));
      try {
        db.exec('PRAGMA busy_timeout = 5000');
        return db.prepare('SELECT DISTINCT city FROM customers WHERE deleted_at IS NULL AND city IS NOT NULL ORDER BY city').all().map((r) => r.city);
      } finally {
        db.close();
      }
    },
    async cleanup() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      scratchDirs.delete(dataDir);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Load generation
// ---------------------------------------------------------------------------------------
const BODY_POOL = demoCustomers(2_000, 4242, 90_000_001);

/**
 * The four workloads. Each returns autocannon options for one target (platform or baseline).
 * State shared by all connections (counters, id lists) lives in closures: autocannon clones
 * its options per connection, but keeps functions (and so their closures) by reference.
 */
const workloads = {
  list(target, env) {
    const paths = env.cities.map((city) =>
      target.kind === 'platform'
        ? `/api/v1/customers?filter%5Bcity%5D=${encodeURIComponent(city)}&sort=-createdAt&limit=20&count=true`
        : `/customers?city=${encodeURIComponent(city)}`,
    );
    let i = 0;
    return {
      requests: [
        {
          method: 'GET',
          setupRequest(req) {
            req.path = paths[i++ % paths.length];
            return req;
          },
        },
      ],
    };
  },

  get(target, env) {
    const prefix = target.kind === 'platform' ? '/api/v1/customers/' : '/customers/';
    const ids = env.seededIds;
    return {
      requests: [
        {
          method: 'GET',
          setupRequest(req) {
            req.path = prefix + ids[Math.floor(Math.random() * ids.length)];
            return req;
          },
        },
      ],
    };
  },

  create(target) {
    const counter = target.createCounter; // { next } — continues across warm-up and measurement
    return {
      requests: [
        {
          method: 'POST',
          path: target.kind === 'platform' ? '/api/v1/customers' : '/customers',
          headers: { 'content-type': 'application/json' },
          setupRequest(req) {
            const n = counter.next++;
            const no = customerNo(n);
            req.body = JSON.stringify({ ...BODY_POOL[n % BODY_POOL.length], customerNo: no, email: `${no.toLowerCase()}@example.cn` });
            return req;
          },
        },
      ],
    };
  },

  /**
   * Every connection owns one record and sends PATCH {city, version} with the version of
   * the previous response: no conflicts. autocannon 8 resets `context` (a fresh clone of
   * initialContext) each time a connection wraps around its `requests` list — with one
   * request, before every request — so the per-connection state lives in `conn`, an object
   * of the request definition that autocannon deep-copies once per connection, and the
   * context of each request points at it for onResponse.
   */
  update(target, env, slots) {
    const prefix = target.kind === 'platform' ? '/api/v1/customers/' : '/customers/';
    const [cityA, cityB] = env.updateCities;
    let nextSlot = 0;
    return {
      requests: [
        {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          conn: { id: 0, version: 0, n: 0 },
          setupRequest(req, context) {
            const conn = req.conn;
            if (conn.id === 0) {
              const slot = slots[nextSlot++];
              if (!slot) throw new Error('more autocannon connections than update slots');
              conn.id = slot.id;
              conn.version = slot.version;
            }
            context.conn = conn;
            req.path = prefix + conn.id;
            req.body = JSON.stringify({ city: conn.n++ % 2 === 0 ? cityA : cityB, version: conn.version });
            return req;
          },
          onResponse(status, body, context) {
            if (status !== 200) return;
            const m = /"version":(\d+)/.exec(body);
            if (m) context.conn.version = Number(m[1]);
          },
        },
      ],
    };
  },
};

function cannon(opts) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    instance.on('error', reject);
  });
}

function summarize(result) {
  const codes = Object.fromEntries(Object.entries(result.statusCodeStats || {}).map(([code, v]) => [code, v.count]));
  return {
    reqPerSec: result.requests.average,
    requests2xx: result['2xx'],
    totalRequests: result.requests.total,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    throughputBytesPerSec: result.throughput.average,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: codes,
    durationSec: result.duration,
  };
}

// ---------------------------------------------------------------------------------------
// One database
// ---------------------------------------------------------------------------------------
async function seed(platform) {
  const rows = demoCustomers(SEED_TOTAL, 1, 1);
  const ids = [];
  const started = process.hrtime.bigint();
  for (let start = 0; start < rows.length; start += SEED_BATCH) {
    const res = await expectOk(
      `bulk create ${start}…${start + SEED_BATCH - 1}`,
      http('POST', `${platform.url}/api/v1/customers/bulk`, { token: platform.token, body: { create: rows.slice(start, start + SEED_BATCH) } }),
    );
    if (!res || !Array.isArray(res.created) || res.created.length !== Math.min(SEED_BATCH, rows.length - start)) throw new Error('bulk create returned an unexpected body');
    for (const rec of res.created) ids.push(rec.id);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ids, seconds };
}

/** Encrypted fields: the baseline returns the stored ciphertext, the platform decrypts. */
const ENCRYPTED_FIELDS = ['idNumber'];
const comparable = (record) => Object.fromEntries(Object.entries(record).filter(([k]) => !ENCRYPTED_FIELDS.includes(k)));

/** The baseline must answer what the platform answers (encrypted fields aside): compare a few reads. */
async function equivalenceCheck(platform, baseline, env) {
  const problems = [];
  for (const id of env.seededIds.slice(0, 3).concat(env.seededIds.slice(-2))) {
    const [p, b] = await Promise.all([http('GET', `${platform.url}/api/v1/customers/${id}`, { token: platform.token }), http('GET', `${baseline.url}/customers/${id}`)]);
    if (p.status !== 200 || b.status !== 200) problems.push(`get ${id}: HTTP ${p.status} vs ${b.status}`);
    else if (!util.isDeepStrictEqual(comparable(p.json), comparable(b.json))) {
      const keys = Object.keys(comparable(p.json)).filter((k) => !util.isDeepStrictEqual(p.json[k], b.json[k]));
      problems.push(`get ${id}: fields differ: ${keys.join(', ')}`);
    }
  }
  for (const city of env.cities.slice(0, 3)) {
    const q = encodeURIComponent(city);
    const [p, b] = await Promise.all([
      http('GET', `${platform.url}/api/v1/customers?filter%5Bcity%5D=${q}&sort=-createdAt&limit=20&count=true`, { token: platform.token }),
      http('GET', `${baseline.url}/customers?city=${q}`),
    ]);
    if (p.status !== 200 || b.status !== 200) problems.push(`list ${city}: HTTP ${p.status} vs ${b.status}`);
    else if (!util.isDeepStrictEqual(p.json.data.map(comparable), b.json.data.map(comparable)) || p.json.meta.total !== b.json.meta.total) problems.push(`list ${city}: pages or totals differ`);
  }
  return problems;
}

/**
 * When autocannon stops, the server still works off the requests it had already read. Let
 * it finish before the next run starts, so two processes never write the same database at
 * once (on SQLite that overlap makes writes fail with SQLITE_BUSY, see the report).
 */
async function settle(target) {
  await sleep(500);
  await http('GET', `${target.url}${target.kind === 'platform' ? '/readyz' : '/healthz'}`).catch(() => {});
  await sleep(250);
}

/** Current versions of records, read through the platform. */
async function slotsFor(platform, ids) {
  return Promise.all(
    ids.map(async (id) => {
      const rec = await expectOk(`get ${id}`, http('GET', `${platform.url}/api/v1/customers/${id}`, { token: platform.token }));
      return { id, version: rec.version };
    }),
  );
}

function profileTargets(raw) {
  const v = (raw || '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false') return [];
  if (v === '1' || v === 'true' || v === 'platform') return ['platform'];
  if (v === 'baseline') return ['baseline'];
  if (v === 'all' || v === 'both') return ['platform', 'baseline'];
  throw new Error(`BENCH_PROFILE must be platform, baseline or all (got ${JSON.stringify(raw)})`);
}

function profileArgs(settings, who, kind, runId) {
  if (!settings.profile.includes(who)) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${path.join(BENCH_DIR, 'profiles')}`, `--cpu-prof-name=${who}-${kind}-${runId}.cpuprofile`];
}

async function runDatabase(kind, settings, runId) {
  const label = DB_LABEL[kind];
  const db = databaseSetup(kind, runId);
  const out = { database: kind, label, seed: null, equivalence: null, endpoints: {} };
  let platformChild = null;
  let baselineChild = null;
  console.log(`\n=== ${label} ===`);
  pendingCleanups.add(db.cleanup);
  await db.prepare();
  try {
    // Platform
    const password = crypto.randomBytes(12).toString('base64url');
    const platformPort = await freePort();
    const platformArgs = [...profileArgs(settings, 'platform', kind, runId), PLATFORM_MAIN];
    platformChild = startChild('platform', platformArgs, {
      PORT: String(platformPort),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      DATA_DIR: db.dataDir,
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
      DB_POOL_SIZE: '10',
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: password,
      // Field-encryption keys of this run (never a key file in the repository's data folder).
      ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'),
      ENCRYPTION_INDEX_KEY: crypto.randomBytes(32).toString('hex'),
    });
    const platform = { kind: 'platform', url: `http://127.0.0.1:${platformPort}`, token: null, child: platformChild, createCounter: { next: 50_000_000 } };
    const bootStarted = Date.now();
    await waitReady(platformChild, `${platform.url}/readyz`);
    console.log(`platform ready on ${platform.url} in ${((Date.now() - bootStarted) / 1000).toFixed(1)} s (pid ${platformChild.proc.pid}${settings.profile.includes('platform') ? ', --cpu-prof' : ''})`);
    const login = await expectOk('login', http('POST', `${platform.url}/api/v1/auth/login`, { body: { username: 'admin', password } }));
    platform.token = login.token;

    // Seed through the bulk API
    const seeded = await seed(platform);
    out.seed = { rows: SEED_TOTAL, batches: SEED_TOTAL / SEED_BATCH, seconds: seeded.seconds, rowsPerSec: SEED_TOTAL / seeded.seconds };
    console.log(`seeded ${fmtInt(SEED_TOTAL)} customers through the bulk API (${SEED_TOTAL / SEED_BATCH} × ${SEED_BATCH}) in ${seeded.seconds.toFixed(2)} s (${fmtInt(SEED_TOTAL / seeded.seconds)} rows/s)`);
    const cities = await db.distinctCities();
    if (cities.length < 2) throw new Error(`expected several cities in the data, found ${cities.length}`);
    console.log(`${cities.length} distinct cities: ${cities.join(' ')}`);

    // Baseline
    const baselinePort = await freePort();
    baselineChild = startChild('baseline', [...profileArgs(settings, 'baseline', kind, runId), BASELINE_MAIN], { PORT: String(baselinePort), DATABASE_URL: db.url, DATA_DIR: db.dataDir });
    const baseline = { kind: 'baseline', url: `http://127.0.0.1:${baselinePort}`, child: baselineChild, createCounter: { next: 70_000_000 } };
    await waitReady(baselineChild, `${baseline.url}/healthz`);
    console.log(`${baselineChild.tail.find((l) => l.startsWith('baseline')) || 'baseline ready'} (pid ${baselineChild.proc.pid})`);
    console.log('note: the baseline has no authentication; the platform checks a bearer token on every request');

    // Record ids: reads pick among all seeded ids; each update run gets its own records.
    const shuffled = shuffle(seeded.ids, 20_260_101);
    const env = { cities, seededIds: seeded.ids, updateCities: [cities[0], cities[1]] };
    const problems = await equivalenceCheck(platform, baseline, env);
    out.equivalence = problems.length ? problems : 'ok';
    if (problems.length) console.log(`WARNING: platform and baseline answers differ:\n  ${problems.join('\n  ')}`);
    else console.log('equivalence check: platform and baseline return the same JSON for the same records and pages');

    let updateRun = 0;
    const nextUpdateIds = () => shuffled.slice(updateRun * settings.connections, ++updateRun * settings.connections);

    console.log(`measuring: ${settings.connections} connections, ${WARMUP_SECONDS} s warm-up + ${settings.duration} s per run`);
    for (const endpoint of settings.endpoints) {
      out.endpoints[endpoint] = {};
      for (const target of [platform, baseline]) {
        const headers = target.token ? { authorization: `Bearer ${target.token}` } : {};
        const results = [];
        for (const seconds of [WARMUP_SECONDS, settings.duration]) {
          assertAlive(target.child);
          const slots = endpoint === 'update' ? await slotsFor(platform, nextUpdateIds()) : null;
          const options = workloads[endpoint](target, env, slots);
          const result = await cannon({ url: target.url, connections: settings.connections, duration: seconds, headers, ...options });
          assertAlive(target.child);
          results.push(summarize(result));
          await settle(target);
        }
        const [warmup, measured] = results;
        out.endpoints[endpoint][target.kind] = { ...measured, warmup: { reqPerSec: warmup.reqPerSec, non2xx: warmup.non2xx, errors: warmup.errors, timeouts: warmup.timeouts } };
        const bad = measured.non2xx + measured.errors + measured.timeouts + warmup.non2xx + warmup.errors + warmup.timeouts;
        console.log(
          `  ${endpoint.padEnd(6)} ${target.kind.padEnd(8)} ${fmtInt(measured.reqPerSec).padStart(7)} req/s  p50 ${fmtMs(measured.latencyMs.p50)} ms  p99 ${fmtMs(measured.latencyMs.p99)} ms` +
            `  (${fmtInt(measured.requests2xx)} 2xx, non-2xx ${measured.non2xx}, errors ${measured.errors}, timeouts ${measured.timeouts}; warm-up: non-2xx ${warmup.non2xx}, errors ${warmup.errors})`,
        );
        if (measured.requests2xx === 0) {
          settings.failures.push(`${kind} ${endpoint} ${target.kind}: no successful response`);
          console.log(`  WARNING: ${target.kind} ${endpoint}: no successful response in ${settings.duration} s; ${target.kind} output:\n    ${target.child.tail.slice(-20).join('\n    ')}`);
        }
        if (bad > 0) {
          settings.failures.push(`${kind} ${endpoint} ${target.kind}`);
          console.log(`  WARNING: ${target.kind} ${endpoint}: ${measured.non2xx} non-2xx, ${measured.errors} errors, ${measured.timeouts} timeouts (warm-up ${warmup.non2xx}/${warmup.errors}/${warmup.timeouts}); status codes ${JSON.stringify(measured.statusCodes)}; last ${target.kind} output:\n    ${target.child.tail.slice(-5).join('\n    ') || '(none)'}`);
        }
      }
      const e = out.endpoints[endpoint];
      e.ratio = e.platform.reqPerSec / e.baseline.reqPerSec;
    }
    return out;
  } finally {
    await stopChild(baselineChild);
    await stopChild(platformChild);
    await db.cleanup().catch((err) => console.error(`cleanup of ${label} failed: ${err.message}`));
    pendingCleanups.delete(db.cleanup);
  }
}

// ---------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------
function table(result, settings) {
  const head = ['endpoint', 'platform req/s', 'p50 ms', 'p99 ms', 'baseline req/s', 'p50 ms', 'p99 ms', 'ratio platform/baseline'];
  const rows = Object.entries(result.endpoints).map(([name, e]) => [
    name,
    fmtInt(e.platform.reqPerSec),
    fmtMs(e.platform.latencyMs.p50),
    fmtMs(e.platform.latencyMs.p99),
    fmtInt(e.baseline.reqPerSec),
    fmtMs(e.baseline.latencyMs.p50),
    fmtMs(e.baseline.latencyMs.p99),
    e.ratio.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  return [
    `${result.label}: ${fmtInt(result.seed.rows)} seeded customers (bulk seed ${result.seed.seconds.toFixed(2)} s, ${fmtInt(result.seed.rowsPerSec)} rows/s), ${settings.connections} connections, ${settings.duration} s per run`,
    line(head),
    '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 1) + '-' : '-'.repeat(w + 1) + ':')).join('|') + '|',
    ...rows.map(line),
  ].join('\n');
}

function summaryLine(result) {
  const ratios = Object.entries(result.endpoints).map(([name, e]) => [name, e.ratio]);
  const geo = Math.exp(ratios.reduce((s, [, r]) => s + Math.log(r), 0) / ratios.length);
  return `${result.label}: platform/baseline throughput ${ratios.map(([n, r]) => `${n} ${r.toFixed(2)}`).join(', ')}; geometric mean ${geo.toFixed(2)}`;
}

async function main() {
  const settings = {
    databases: list('BENCH_DBS', ['mariadb', 'sqlite'], ['mariadb', 'sqlite']),
    duration: positiveInt('BENCH_DURATION', 10),
    connections: positiveInt('BENCH_CONNECTIONS', 32),
    endpoints: list('BENCH_ENDPOINTS', ENDPOINTS, ENDPOINTS),
    profile: profileTargets(process.env.BENCH_PROFILE),
    failures: [],
  };
  if (!fs.existsSync(PLATFORM_MAIN)) throw new Error(`${PLATFORM_MAIN} is missing: build first (npx tsc -b)`);
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const runId = `${process.pid}-${Date.now()}`;
  console.log(
    `Plinth benchmark: platform (core/dist/main.js) vs hand-written baseline (bench/baseline/server.js, no auth)\n` +
      `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; load generator (autocannon) runs in this process on the same machine\n` +
      `databases: ${settings.databases.join(', ')}; endpoints: ${settings.endpoints.join(', ')}; ${settings.connections} connections; ${settings.duration} s per run after a ${WARMUP_SECONDS} s warm-up`,
  );
  const results = [];
  for (const kind of settings.databases) results.push(await runDatabase(kind, settings, runId));

  console.log('');
  for (const r of results) console.log(`${table(r, settings)}\n`);
  for (const r of results) console.log(summaryLine(r));

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    settings: { databases: settings.databases, durationSec: settings.duration, warmupSec: WARMUP_SECONDS, connections: settings.connections, endpoints: settings.endpoints, seedRows: SEED_TOTAL },
    results,
    failures: settings.failures,
  };
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(report, null, 2) + '\n');
  console.log(`\nresults written to ${path.relative(ROOT, RESULTS_FILE)}`);
  if (settings.failures.length) {
    console.log(`WARNING: ${settings.failures.length} run(s) had non-2xx responses, errors or timeouts: ${settings.failures.join('; ')}`);
    return 1;
  }
  return 0;
}

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (err) => {
    console.error(`\nbenchmark failed: ${err && err.stack ? err.stack : err}`);
    await stopAll().catch(() => {});
    process.exit(1);
  });
