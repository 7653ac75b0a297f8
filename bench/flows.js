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
const { DBS, dbLabel, fmtInt: fmt, call, login, pluginsDir, withPlatform, printTable } = require('./lib');

const INSTANCES = Number(process.env.BENCH_FLOW_INSTANCES || 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const PASSWORD = 'Bench-Flows-Pass-1';
const t = (s) => ({ 'zh-CN': s, en: s });

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
  return withPlatform({ kind, name: 'plinth_bench_flows', password: PASSWORD, plugins: pluginsDir(), env: { DB_POOL_SIZE: '32' } }, async ({ base, token: admin }) => {
    const users = {};
    for (const name of ['initiator', 'h1', 'h2', 'h3', 'doer', 'boss']) {
      const u = await call(base, 'POST', '/api/v1/users', admin, { username: name, displayName: name });
      await call(base, 'POST', `/api/v1/users/${u.id}/password`, admin, { password: PASSWORD, mustChange: false });
      users[name] = { id: u.id, token: await login(base, name, PASSWORD) };
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
  });
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
    console.log(`\n${dbLabel(kind)}: ${fmt(INSTANCES)} instances of start → countersign (3, all) → handle → approve → end, ${CONNECTIONS} clients`);
    console.log(`wall ${(r.flowMs / 1000).toFixed(1)} s; ${fmt(actions)} actions (+ ${fmt(INSTANCES * 2)} reads) → ${fmt(actionsPerSecond)} actions/s; ${fmt(INSTANCES / (r.flowMs / 1000))} instances/s`);
    const latencies = (xs) => [fmt(xs.length), percentile(xs, 50).toFixed(1), percentile(xs, 99).toFixed(1)];
    printTable(['request', 'count', 'p50 ms', 'p99 ms', 'per second', 'ratio to baseline'], [
      ['baseline: create a customer (1 insert + log)', ...latencies(cr), fmt(createsPerSecond), '1.00'],
      ['start an instance (snapshot, 2 node visits, 3 tasks, events)', ...latencies(st), '', ''],
      ['approve (claim, count, settle; every 3rd completes the node)', ...latencies(ap), '', ''],
      ['all flow actions', fmt(actions), '', '', fmt(actionsPerSecond), (actionsPerSecond / createsPerSecond).toFixed(2)],
    ]);
    console.log(`node p90 durations (ms): ${r.statistics.nodes.map((n) => `${n.key} ${n.duration.p90}`).join(', ')}`);
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
