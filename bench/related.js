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
const { DBS, dbLabel, fmtInt, call, login, pluginsDir, withPlatform, salesDepartment, getRate, printTable } = require('./lib');

const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 16);
const CUSTOMERS = 2000;
const CONTACTS_EACH = 10;
const PASSWORD = 'Bench-Related-Pass-1';

/** Requests/s of GETs cycling over `paths`. */
const rate = (base, token, paths) => getRate({ base, headers: { authorization: `Bearer ${token}` }, paths, connections: CONNECTIONS, warmup: 2, seconds: DURATION });

async function measure(kind) {
  return withPlatform({ kind, name: 'plinth_bench_related', password: PASSWORD, plugins: pluginsDir(), env: { PASSWORD_REQUIRE: 'none' } }, async (platform) => {
    const { base, token: admin } = platform;
    const { dept, users } = await salesDepartment(platform, ['rep1', 'rep2'], PASSWORD);
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
    const rep = await login(base, 'rep1', PASSWORD);
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
  });
}

(async () => {
  for (const kind of DBS) {
    const results = await measure(kind);
    console.log(`\n${dbLabel(kind)}, related tabs of a customer (${CUSTOMERS} customers × ${CONTACTS_EACH} contacts), ${CONNECTIONS} connections, ${DURATION} s`);
    printTable(['caller', 'tabs', 'GET record req/s', 'GET related req/s', 'p50 ms', 'p99 ms', 'ratio to record'],
      results.map((r) => [r.who, r.tabs, fmtInt(r.record.rps), fmtInt(r.related.rps), r.related.p50, r.related.p99, (r.related.rps / r.record.rps).toFixed(2)]));
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
