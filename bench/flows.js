#!/usr/bin/env node
'use strict';
/**
 * Flow engine benchmark, through the API, on MariaDB and the embedded database:
 * complete BENCH_FLOW_INSTANCES (default 10,000) instances of a 5-node flow — start →
 * countersign by 3 handlers (all must agree) → handling → approval → end — with
 * BENCH_CONNECTIONS (default 32) clients at once. Each instance is 6 actions (start,
 * 3 approvals, done, approve) plus one read of the instance after the countersign.
 * Reports actions/s and approve latency (p50/p99), and the same number of generic record
 * creates (one insert + operation log per request) as the baseline.
 *
 * Env: BENCH_FLOW_INSTANCES, BENCH_CONNECTIONS, BENCH_MYSQL_URL, BENCH_DBS (default mariadb,sqlite).
 */
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const mysql = require('mysql2/promise');

const ROOT = path.resolve(__dirname, '..');
const MYSQL = (process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const DBS = (process.env.BENCH_DBS || 'mariadb,sqlite').split(',');
const INSTANCES = Number(process.env.BENCH_FLOW_INSTANCES || 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const PASSWORD = 'Bench-Flows-Pass-1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const t = (s) => ({ 'zh-CN': s, en: s });

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

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** Run `n` jobs with `CONNECTIONS` workers; returns the wall time in ms. */
async function pool(n, job) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    for (let i = next++; i < n; i = next++) await job(i);
  }));
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function timed(latencies, fn) {
  const s = process.hrtime.bigint();
  const out = await fn();
  latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
  return out;
}

async function run(kind) {
  const mysqlDb = 'plinth_bench_flows';
  const drop = async () => { const c = await mysql.createConnection(`${MYSQL}/`); try { await c.query(`DROP DATABASE IF EXISTS \`${mysqlDb}\``); } finally { await c.end(); } };
  if (kind === 'mariadb') await drop();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-flows-'));
  const plugins = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-plugins-'));
  for (const name of ['org', 'customers', 'contacts']) fs.symlinkSync(path.join(ROOT, 'plugins', name), path.join(plugins, name));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'core/dist/main.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: kind === 'mariadb' ? `${MYSQL}/${mysqlDb}` : '', DB_POOL_SIZE: '32', DATA_DIR: data, PLUGINS_DIR: plugins, LOG_LEVEL: 'warn', DEMO_DATA: 'false', ADMIN_PASSWORD: PASSWORD, ENCRYPTION_KEY: 'e'.repeat(64), ENCRYPTION_INDEX_KEY: 'f'.repeat(64) },
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
    const users = {};
    for (const name of ['initiator', 'h1', 'h2', 'h3', 'doer', 'boss']) {
      const u = await call(base, 'POST', '/api/v1/users', admin, { username: name, displayName: name });
      await call(base, 'POST', `/api/v1/users/${u.id}/password`, admin, { password: PASSWORD, mustChange: false });
      users[name] = { id: u.id, token: (await call(base, 'POST', '/api/v1/auth/login', null, { username: name, password: PASSWORD })).token };
    }
    const ids = (...names) => ({ type: 'users', ids: names.map((n) => users[n].id) });
    await call(base, 'POST', '/api/v1/flows/definitions', admin, {
      code: 'bench', label: t('bench'), model: 'fixed',
      nodes: [
        { key: 'start', kind: 'start', name: 'start' },
        { key: 'cs', kind: 'approval', name: 'countersign', handlers: [ids('h1', 'h2', 'h3')], countersign: { mode: 'all' } },
        { key: 'work', kind: 'handle', name: 'work', handlers: [ids('doer')] },
        { key: 'boss', kind: 'approval', name: 'boss', handlers: [ids('boss')] },
        { key: 'end', kind: 'end', name: 'end' },
      ],
      edges: [{ from: 'start', to: 'cs' }, { from: 'cs', to: 'work' }, { from: 'work', to: 'boss' }, { from: 'boss', to: 'end' }],
    });
    const tokenOf = new Map(Object.values(users).map((u) => [u.id, u.token]));
    const approve = [];
    const started = [];
    const completed = [];
    const act = (task, action) => call(base, 'POST', `/api/v1/flows/tasks/${task.id}/${action}`, tokenOf.get(task.assignee), {});
    const one = async () => {
      const inst = await timed(started, () => call(base, 'POST', '/api/v1/flows/instances', users.initiator.token, { flow: 'bench', data: { amount: 1 } }));
      for (const task of inst.nodes[1].tasks) await timed(approve, () => act(task, 'approve'));
      const v = await call(base, 'GET', `/api/v1/flows/instances/${inst.id}`, users.initiator.token);
      await timed(completed, () => act(v.nodes[2].tasks[0], 'complete'));
      const v2 = await call(base, 'GET', `/api/v1/flows/instances/${inst.id}`, users.initiator.token);
      await timed(approve, () => act(v2.nodes[3].tasks[0], 'approve'));
      return inst.id;
    };
    await pool(Math.min(200, INSTANCES), one); // warm-up
    approve.length = started.length = completed.length = 0;
    const flowMs = await pool(INSTANCES, one);
    const check = await call(base, 'GET', '/api/v1/flows/definitions/bench/statistics', admin);
    const done = check.instances.byStatus.completed ?? 0;
    if (done < INSTANCES) throw new Error(`only ${done} instances completed`);
    const creates = [];
    const baselineMs = await pool(INSTANCES, (i) => timed(creates, () => call(base, 'POST', '/api/v1/customers', admin, { customerNo: `C${String(i).padStart(8, "0")}`, name: `客户${i}`, kind: 'person', city: '杭州' })));
    return { flowMs, approve, started, completed, creates, baselineMs, statistics: check };
  } finally {
    await sleep(300);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(plugins, { recursive: true, force: true });
    if (kind === 'mariadb') await drop().catch(() => undefined);
  }
}

(async () => {
  for (const kind of DBS) {
    const r = await run(kind);
    const actions = INSTANCES * 6;
    const sorted = (xs) => [...xs].sort((a, b) => a - b);
    const ap = sorted(r.approve);
    const st = sorted(r.started);
    const cr = sorted(r.creates);
    const actionsPerSecond = actions / (r.flowMs / 1000);
    const createsPerSecond = INSTANCES / (r.baselineMs / 1000);
    console.log(`\n${kind === 'mariadb' ? 'MariaDB' : 'SQLite'}: ${fmt(INSTANCES)} instances of start → countersign (3, all) → handle → approve → end, ${CONNECTIONS} clients`);
    console.log(`wall ${(r.flowMs / 1000).toFixed(1)} s; ${fmt(actions)} actions (+ ${fmt(INSTANCES * 2)} reads) → ${fmt(actionsPerSecond)} actions/s; ${fmt(INSTANCES / (r.flowMs / 1000))} instances/s`);
    console.log('| request | count | p50 ms | p99 ms | per second | ratio to baseline |');
    console.log('|---------|------:|-------:|-------:|-----------:|------------------:|');
    console.log(`| baseline: create a customer (1 insert + log) | ${fmt(cr.length)} | ${percentile(cr, 50).toFixed(1)} | ${percentile(cr, 99).toFixed(1)} | ${fmt(createsPerSecond)} | 1.00 |`);
    console.log(`| start an instance (snapshot, 2 node visits, 3 tasks, events) | ${fmt(st.length)} | ${percentile(st, 50).toFixed(1)} | ${percentile(st, 99).toFixed(1)} | | |`);
    console.log(`| approve (claim, count, settle; every 3rd completes the node) | ${fmt(ap.length)} | ${percentile(ap, 50).toFixed(1)} | ${percentile(ap, 99).toFixed(1)} | | |`);
    console.log(`| all flow actions | ${fmt(actions)} | | | ${fmt(actionsPerSecond)} | ${(actionsPerSecond / createsPerSecond).toFixed(2)} |`);
    console.log(`node p90 durations (ms): ${r.statistics.nodes.map((n) => `${n.key} ${n.duration.p90}`).join(', ')}`);
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
