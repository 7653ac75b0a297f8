#!/usr/bin/env node
'use strict';
/**
 * Custom-form benchmark, measured against baselines in the same run:
 *
 * 1. In process: processSubmission of the expense template with 20 expense lines (ajv +
 *    defaults + formulas + conditions + rules) against the ajv check of the same data
 *    alone; a formula through the expression language against the same formula as a
 *    JavaScript function.
 * 2. Over HTTP, on MariaDB and the embedded database: saving a data-form record (header +
 *    5 detail rows, formulas computed, one transaction) against a generic bulk request
 *    creating 6 customers (6 rows, one transaction).
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 16), BENCH_MYSQL_URL,
 * BENCH_DBS (default mariadb,sqlite), BENCH_HTTP (default true).
 */
const path = require('node:path');
const autocannon = require('autocannon');
const { ROOT, DBS, dbLabel, fmtInt: fmt, call, pluginsDir, withPlatform, printTable } = require('./lib');

const forms = require(path.join(ROOT, 'core/dist/forms'));
const expressions = require(path.join(ROOT, 'core/dist/expressions'));
const { createAjv } = require(path.join(ROOT, 'core/dist/services/validation'));

const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 16);
const HTTP = process.env.BENCH_HTTP !== 'false';
const PASSWORD = 'Bench-Forms-Pass-1';

/** Operations per second of `fn`, over about `ms` milliseconds (after a warm-up). */
function opsPerSecond(fn, ms = 2000) {
  for (let i = 0; i < 200; i++) fn(i);
  let n = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < until) {
    for (let i = 0; i < 100; i++) fn(n++);
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

function inProcess() {
  const def = forms.formTemplate('expense');
  const lines = Array.from({ length: 20 }, (_, i) => ({ expenseDate: '2026-03-02', category: i % 5 === 4 ? 'other' : 'transport', description: `line ${i}`, amount: Math.round((10 + i * 1.37) * 100) / 100, receipts: 1 }));
  const data = { title: '三月报销', advanceOffset: 100, payee: '张三', bankAccount: '6222 0000 1111 2222', lines };
  const options = { now: new Date('2026-03-10T02:00:00Z'), timeZone: 'Asia/Shanghai' };
  const check = forms.processSubmission(def, data, options);
  if (check.errors.length) throw new Error(JSON.stringify(check.errors));
  const validate = createAjv().compile(forms.submissionSchema(def));
  if (!validate(data)) throw new Error('baseline does not validate');
  const ajvOnly = opsPerSecond(() => validate(data));
  const full = opsPerSecond(() => forms.processSubmission(def, data, options));

  const row = { qty: 3, price: 19.99, discount: 0.1 };
  const compiled = expressions.compileExpression('qty * price * (1 - discount)', { qty: 'number', price: 'number', discount: 'number' });
  const native = (r) => r.qty * r.price * (1 - r.discount);
  const nativeOps = opsPerSecond(() => native(row));
  const exprOps = opsPerSecond(() => expressions.evaluate(compiled, row));
  const sum = expressions.compileExpression('SUM(lines.amount)');
  const sumOps = opsPerSecond(() => expressions.evaluate(sum, { lines }));
  const nativeSum = opsPerSecond(() => lines.reduce((a, l) => a + l.amount, 0));

  console.log('\nIn process (one core)');
  printTable(['work', 'ops/s', 'ratio to baseline'], [
    ['baseline: ajv check of an expense claim with 20 lines', fmt(ajvOnly), '1.00'],
    ['processSubmission of the same claim (defaults, 3 header + 20 row conditions, 5 formulas, rule, totals)', fmt(full), (full / ajvOnly).toFixed(2)],
    ['baseline: qty * price * (1 - discount) as a JS function', fmt(nativeOps), '1.00'],
    ['the same formula, compiled expression, decimal arithmetic', fmt(exprOps), (exprOps / nativeOps).toFixed(4)],
    ['baseline: sum of 20 amounts in JS (floating point)', fmt(nativeSum), '1.00'],
    ['SUM(lines.amount) over 20 lines, decimal', fmt(sumOps), (sumOps / nativeSum).toFixed(4)],
  ]);
}

const t = (s) => ({ 'zh-CN': s, en: s });
const ORDER = {
  code: 'benchOrder',
  kind: 'data',
  label: t('Bench order'),
  fields: [
    { name: 'title', type: 'string', label: t('Title'), required: true },
    { name: 'discount', type: 'decimal', label: t('Discount'), default: 0 },
    { name: 'lines', type: 'detail', label: t('Lines'), required: true, fields: [
      { name: 'item', type: 'string', label: t('Item'), required: true },
      { name: 'qty', type: 'decimal', label: t('Qty'), required: true },
      { name: 'price', type: 'money', label: t('Price'), required: true },
      { name: 'amount', type: 'money', label: t('Amount'), formula: 'qty * price * (1 - COALESCE(discount, 0))', total: 'sum' },
    ] },
    { name: 'total', type: 'money', label: t('Total'), formula: 'SUM(lines.amount)' },
  ],
};

async function http(kind) {
  return withPlatform({ kind, name: 'plinth_bench_forms', password: PASSWORD, plugins: pluginsDir() }, async ({ base, token }) => {
    await call(base, 'POST', '/api/v1/forms', token, ORDER);
    const rows = (i) => Array.from({ length: 5 }, (_, j) => ({ item: `item ${i}-${j}`, qty: 1 + j, price: 9.99 }));
    const check = await call(base, 'POST', '/api/v1/forms/benchOrder/records', token, { title: 'check', discount: 0.1, lines: rows(0) });
    if (check.total !== 134.86 || check.lines.length !== 5) throw new Error(`the form did not compute (${JSON.stringify(check)})`);
    let n = 0;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const run = (seconds, request) => autocannon({ url: base, connections: CONNECTIONS, duration: seconds, requests: [{ setupRequest: (req) => ({ ...req, ...request(++n), headers }) }] });
    const bulk = (i) => ({ method: 'POST', path: '/api/v1/customers/bulk', body: JSON.stringify({ create: Array.from({ length: 6 }, (_, j) => ({ customerNo: `C${String(i * 6 + j).padStart(8, '0')}`, name: `客户${i}-${j}`, kind: 'person', city: '杭州' })) }) });
    const form = (i) => ({ method: 'POST', path: '/api/v1/forms/benchOrder/records', body: JSON.stringify({ title: `order ${i}`, discount: 0.1, lines: rows(i) }) });
    await run(2, bulk);
    const baseline = await run(DURATION, bulk);
    await run(2, form);
    const measured = await run(DURATION, form);
    return [
      { label: 'baseline: generic bulk create of 6 customers', r: baseline },
      { label: 'data-form record: header + 5 rows, formulas', r: measured },
    ];
  });
}

(async () => {
  inProcess();
  if (!HTTP) return;
  for (const kind of DBS) {
    const results = await http(kind);
    const baseRps = results[0].r.requests.average;
    console.log(`\n${dbLabel(kind)}, 6 rows written per request in one transaction, ${CONNECTIONS} connections, ${DURATION} s`);
    printTable(['request', 'req/s', 'rows/s', 'p50 ms', 'p99 ms', 'ratio to baseline'],
      results.map(({ label, r }) => [label, fmt(r.requests.average), fmt(r.requests.average * 6), r.latency.p50, r.latency.p99, (r.requests.average / baseRps).toFixed(2)]));
    for (const { label, r } of results) if (r.non2xx || r.errors) console.log(`WARNING: ${label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  }
})().catch((err) => { console.error(err); process.exitCode = 1; });
