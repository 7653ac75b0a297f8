#!/usr/bin/env node
'use strict';
/**
 * Permission-layer benchmark: the same customer list page (20 rows filtered by city,
 * sorted by created_at desc, with total) for the system administrator and for scoped
 * users on the same 20,000 customers, on MariaDB. The bar: a scoped list keeps ≥ 0.85
 * of the administrator's throughput.
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 32), BENCH_MYSQL_URL,
 * BENCH_ONLY_MANAGER=1 (the department manager only), BENCH_KEEP=1 (keep the database),
 * BENCH_PROFILE_DIR (--cpu-prof of the server into that folder).
 */
const fs = require('node:fs');
const path = require('node:path');
const mysql = require('mysql2/promise');
const { hash, Algorithm } = require('@node-rs/argon2');
const { ROOT, MYSQL, fmtInt, login, mysqlAdmin, withPlatform, getLoad, summary, printTable } = require('./lib');

const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 32);
const DB = 'plinth_bench_scoped';
const PASSWORD = 'Bench-Pass-2026';
const CITIES = ['上海', '北京', '广州', '深圳', '杭州', '南京', '成都', '武汉'];
const LIST_PAGES = CITIES.map((city) => `/api/v1/customers?filter[city]=${encodeURIComponent(city)}&sort=-createdAt&limit=20&count=true`);

async function seedAndMeasure(platform) {
  const { base, token: adminToken, api: A } = platform;

  // Organisation: head office → 4 branches → 3 departments each → 2 teams each.
  const hq = await A('POST', '/api/v1/departments', { name: '总公司', kind: 'headquarters' });
  const teams = [];
  let managerDept = null;
  for (let b = 0; b < 4; b++) {
    const branch = await A('POST', '/api/v1/departments', { name: `分公司${b}`, kind: 'branch', parent: hq.id });
    for (let d = 0; d < 3; d++) {
      const dept = await A('POST', '/api/v1/departments', { name: `部门${b}-${d}`, kind: 'department', parent: branch.id });
      managerDept ??= dept;
      for (let t = 0; t < 2; t++) teams.push({ ...(await A('POST', '/api/v1/departments', { name: `小组${b}-${d}-${t}`, kind: 'team', parent: dept.id })), parentDept: dept.id });
    }
  }
  const roles = Object.fromEntries((await A('GET', '/api/v1/roles?limit=100')).data.map((r) => [r.code, r.id]));
  const users = [];
  for (let i = 0; i < 48; i++) {
    const team = teams[i % teams.length];
    users.push(await A('POST', '/api/v1/users', { username: `rep${i}`, displayName: `业务员${i}`, department: team.id }));
  }
  const manager = await A('POST', '/api/v1/users', { username: 'manager', displayName: '经理', department: managerDept.id });
  for (const u of users) await A('POST', '/api/v1/userRoles', { user: u.id, role: roles.salesRep });
  await A('POST', '/api/v1/userRoles', { user: manager.id, role: roles.departmentManager });
  const conn = await mysql.createConnection(`${MYSQL}/${DB}`);
  const pw = await hash(PASSWORD, { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  for (const u of [...users, manager]) {
    await conn.query('INSERT INTO plinth_credentials (user_id, password_hash, password_changed_at) VALUES (?, ?, ?)', [u.id, pw, '2026-01-01 00:00:00.000']);
  }
  await conn.end();

  const started = Date.now();
  for (let batch = 0; batch < 20; batch++) {
    const rows = Array.from({ length: 1000 }, (_, k) => {
      const n = batch * 1000 + k;
      const owner = users[n % users.length];
      return { customerNo: `C${String(n + 1).padStart(8, '0')}`, name: `客户${n + 1}`, kind: 'person', status: 'active', city: CITIES[n % CITIES.length], level: ['vip', 'a', 'b', 'c'][n % 4], owner: owner.id, department: owner.department };
    });
    await A('POST', '/api/v1/customers/bulk', { create: rows });
  }
  console.log(`seeded 20,000 customers over ${teams.length} teams and ${users.length} reps in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Fresh index statistics after the bulk load, as after any import: without them MariaDB
  // may plan the scoped (IN-list) queries on stale cardinalities for the next minutes.
  await mysqlAdmin(`ANALYZE TABLE \`${DB}\`.customers`);

  const who = [
    ...(process.env.BENCH_ONLY_MANAGER ? [] : [{ label: 'admin (all)', token: adminToken }]),
    { label: 'department manager (departmentTree)', token: await login(base, 'manager', PASSWORD) },
    ...(process.env.BENCH_ONLY_MANAGER ? [] : [{ label: 'sales rep (own)', token: await login(base, 'rep0', PASSWORD) }]),
  ];
  const measure = async (t, seconds) => summary(await getLoad({ base, paths: LIST_PAGES, headers: { authorization: `Bearer ${t.token}` }, connections: CONNECTIONS, seconds }));
  const results = [];
  for (const t of who) {
    await measure(t, 2);
    results.push({ ...t, ...(await measure(t, DURATION)) });
  }
  const base0 = results[0].rps;
  console.log(`\nMariaDB, 20,000 customers, ${CONNECTIONS} connections, ${DURATION} s per run: list page of 20 (city filter, -createdAt, total)`);
  printTable(['user', 'req/s', 'p50 ms', 'p99 ms', 'ratio to admin'], results.map((r) => [r.label, fmtInt(r.rps), r.p50, r.p99, (r.rps / base0).toFixed(2)]));
  for (const r of results) if (r.non2xx || r.errors) console.log(`WARNING: ${r.label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  fs.mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, '.bench/scoped.json'), JSON.stringify(results.map(({ token: _t, ...r }) => r), null, 2));
}

withPlatform({
  kind: 'mariadb', name: DB, password: PASSWORD, keepDatabase: Boolean(process.env.BENCH_KEEP),
  nodeArgs: process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [],
  env: { DB_POOL_SIZE: '10' },
}, seedAndMeasure).catch((err) => { console.error(err); process.exitCode = 1; });
