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
const { DBS, dbLabel, fmtInt, call, login, cookieLogin, pluginsDir, withPlatform, salesDepartment, getRate, pageAssets, printTable } = require('./lib');

const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 16);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS || 100_000);
const PASSWORD = 'Bench-Pages-Pass-1';

const rate = (base, headers, paths) => getRate({ base, headers, paths, connections: CONNECTIONS, warmup: 2, seconds: DURATION });

async function measure(kind) {
  return withPlatform({ kind, name: 'plinth_bench_pages', password: PASSWORD, plugins: pluginsDir(), env: { PASSWORD_REQUIRE: 'none' } }, async (platform) => {
    const { base, token: admin } = platform;
    const { dept, users } = await salesDepartment(platform, ['rep1', 'rep2', 'rep3', 'rep4'], PASSWORD);
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
    const rep = await login(base, 'rep1', PASSWORD);
    const cookies = { admin: await cookieLogin(base, 'admin', PASSWORD), 'sales rep': await cookieLogin(base, 'rep1', PASSWORD) };
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
  });
}

(async () => {
  for (const kind of DBS) {
    const { results, seeded, assets } = await measure(kind);
    console.log(`\n${dbLabel(kind)}, workspace pages over ${CUSTOMERS.toLocaleString('en-US')} customers (seeded in ${seeded.toFixed(0)} s), ${CONNECTIONS} connections, ${DURATION} s`);
    printTable(['caller', 'page', 'API req/s', 'API p50/p99 ms', 'page req/s', 'page p50 ms', 'page p99 ms', 'ratio page/API'],
      results.map((r) => [r.who, r.page, fmtInt(r.api.rps), `${r.api.p50}/${r.api.p99}`, fmtInt(r.html.rps), r.html.p50, r.html.p99, (r.html.rps / r.api.rps).toFixed(2)]), { left: 2 });
    const kb = (n) => (n / 1024).toFixed(1);
    console.log(`List page transfer: HTML ${kb(assets.html.gzip)} KB gzip; JS ${assets.js.files} files, ${kb(assets.js.raw)} KB raw, ${kb(assets.js.gzip)} KB gzip (target < 100 KB); CSS ${assets.css.files} files, ${kb(assets.css.raw)} KB raw, ${kb(assets.css.gzip)} KB gzip`);
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
