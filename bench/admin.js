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
const { DBS, dbLabel, fmtInt, call, cookieLogin, pluginsDir, withPlatform, getRate, pageAssets, printTable } = require('./lib');

const DURATION = Number(process.env.BENCH_DURATION || 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 8);
const UNITS = Number(process.env.BENCH_UNITS || 200);
const USERS = Number(process.env.BENCH_USERS || 2000);
const PASSWORD = 'Bench-Admin-Pass-1';

const rate = (base, headers, paths) => getRate({ base, headers, paths, connections: CONNECTIONS, warmup: 1, seconds: DURATION });

async function measure(kind) {
  return withPlatform({ kind, name: 'plinth_bench_admin', password: PASSWORD, plugins: pluginsDir(), env: { PASSWORD_REQUIRE: 'none' } }, async ({ base, token: admin }) => {
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
    const cookie = { cookie: await cookieLogin(base, 'admin', PASSWORD) };
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
    return { results, seeded, units: units.length + 6, scripts: await pageAssets(base, cookie.cookie, `/admin/roles/${salesRep.id}`), editor: await pageAssets(base, cookie.cookie, '/admin/scripts/bench-1') };
  });
}

(async () => {
  for (const kind of DBS) {
    const { results, seeded, units, scripts, editor } = await measure(kind);
    console.log(`\n${dbLabel(kind)}, admin pages over ${units} units and ${USERS.toLocaleString('en-US')} users (seeded in ${seeded.toFixed(0)} s), ${CONNECTIONS} connections, ${DURATION} s`);
    printTable(['page', 'req/s', 'p50 ms', 'p99 ms'], results.map((r) => [r.page, fmtInt(r.rps), r.p50, r.p99]));
    const kb = (n) => (n / 1024).toFixed(1);
    console.log(`Grant matrix page: HTML ${kb(scripts.html.gzip)} KB gzip; JS ${scripts.js.files} files, ${kb(scripts.js.raw)} KB raw, ${kb(scripts.js.gzip)} KB gzip`);
    console.log(`Script editor page: HTML ${kb(editor.html.gzip)} KB gzip; JS ${editor.js.files} files, ${kb(editor.js.raw)} KB raw, ${kb(editor.js.gzip)} KB gzip`);
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
