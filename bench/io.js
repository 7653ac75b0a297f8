#!/usr/bin/env node
'use strict';
/**
 * Import/export benchmark: xlsx export of 10,000 and 50,000 customers and xlsx import of
 * 10,000 and 50,000 new customers (all or nothing, one transaction), on MariaDB and on the
 * embedded database. For each: seconds, rows per second, and the server's peak RSS and V8
 * heap used (sampled every 5 ms inside the server, bench/io-server.js) and its peak live
 * heap (after a full collection, once a second), as absolute peaks and as growth over the
 * idle baseline. The ratio 50k/10k shows whether memory grows with the row count
 * (streamed: it should not). BENCH_IO_SKIP=1 imports with skipBadRows (a transaction per batch).
 *
 * Env: BENCH_DBS (default mariadb,sqlite), BENCH_IO_ROWS (default 10000,50000),
 * BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306), BENCH_PROFILE=1 (--cpu-prof of
 * the server into .bench/profiles).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fork } = require('node:child_process');
const { once } = require('node:events');
const { pipeline } = require('node:stream/promises');
const { Readable } = require('node:stream');
const ExcelJS = require('exceljs');
const { ROOT, MYSQL, DBS, fmtInt, call, login, dropDatabase, track, platformEnv, printTable } = require('./lib');

const { demoCustomers } = require(path.join(ROOT, 'plugins', 'customers', 'dist', 'index.js'));
const SIZES = (process.env.BENCH_IO_ROWS || '10000,50000').split(',').map(Number);
const MAX = Math.max(...SIZES);
const PASSWORD = 'Bench-IO-Pass-1';
const MYSQL_DB = 'plinth_bench_io';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MB = 1024 * 1024;

let server = null;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-io-'));
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));

/** Ask the server's memory probe something and wait for its answer. */
async function probe(cmd) {
  server.send({ cmd });
  for (;;) {
    const [msg] = await once(server, 'message');
    if (msg.cmd === cmd) return msg;
  }
}

async function measured(fn) {
  await probe('reset');
  const started = process.hrtime.bigint();
  const result = await fn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { baseline, peak } = await probe('report');
  return { seconds, result, baseline, peak };
}

/** Rows of the first worksheet (header excluded), counted with the streaming reader. */
async function countRows(file) {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
  let n = 0;
  for await (const sheet of reader) {
    for await (const _row of sheet) n++;
    break;
  }
  return n - 1;
}

/** An xlsx of `count` new demo customers, API names as headers, written row by row. */
async function importFile(file, count, firstNumber) {
  const rows = demoCustomers(count, 7, firstNumber);
  const header = [...new Set(rows.slice(0, 500).flatMap((r) => Object.keys(r)))];
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: false, useSharedStrings: false });
  const ws = wb.addWorksheet('customers');
  ws.addRow(header).commit();
  for (const r of rows) ws.addRow(header.map((k) => (r[k] === undefined || r[k] === null ? null : typeof r[k] === 'object' ? JSON.stringify(r[k]) : r[k]))).commit();
  ws.commit();
  await wb.commit();
}

const no = (n) => `C${String(n).padStart(8, '0')}`;
const mb = (bytes) => (bytes / MB).toFixed(0);

async function runDatabase(kind) {
  const dataDir = fs.mkdtempSync(path.join(scratch, `${kind}-`));
  if (kind === 'mariadb') await dropDatabase(MYSQL_DB);
  const profileDir = path.join(ROOT, '.bench', 'profiles');
  if (process.env.BENCH_PROFILE) fs.mkdirSync(profileDir, { recursive: true });
  server = track(fork(path.join(__dirname, 'io-server.js'), [], {
    cwd: ROOT,
    execArgv: ['--expose-gc', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    env: platformEnv({ port: 0, databaseUrl: kind === 'mariadb' ? `${MYSQL}/${MYSQL_DB}` : '', dataDir, password: PASSWORD, env: { IMPORT_MAX_BYTES: '200mb' } }),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  }));
  const [ready] = await once(server, 'message');
  const base = `http://127.0.0.1:${ready.port}`;
  const token = await login(base, 'admin', PASSWORD);
  const results = [];
  try {
    const seedStarted = Date.now();
    const seedRows = demoCustomers(MAX, 1, 1);
    for (let i = 0; i < seedRows.length; i += 1000) await call(base, 'POST', '/api/v1/customers/bulk', token, { create: seedRows.slice(i, i + 1000) });
    console.log(`\n=== ${kind === 'mariadb' ? 'MariaDB' : 'SQLite (embedded)'} ===\nseeded ${MAX.toLocaleString('en-US')} customers through the bulk API in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);

    for (const n of SIZES) {
      const file = path.join(scratch, `export-${kind}-${n}.xlsx`);
      const m = await measured(async () => {
        const res = await fetch(`${base}/api/v1/customers/export?format=xlsx&filter[customerNo][lte]=${no(n)}&sort=customerNo`, { headers: { authorization: `Bearer ${token}` } });
        if (res.status !== 200) throw new Error(`export: ${res.status} ${await res.text()}`);
        await pipeline(Readable.fromWeb(res.body), fs.createWriteStream(file));
      });
      const rows = await countRows(file);
      if (rows !== n) throw new Error(`export of ${n}: the file holds ${rows} rows`);
      results.push({ op: 'export xlsx', n, bytes: fs.statSync(file).size, ...m });
      fs.rmSync(file);
    }

    let first = 10_000_001;
    for (const n of SIZES) {
      const file = path.join(scratch, `import-${kind}-${n}.xlsx`);
      await importFile(file, n, first);
      first += n;
      const m = await measured(async () => {
        const res = await fetch(`${base}/api/v1/customers/import${process.env.BENCH_IO_SKIP ? "?skipBadRows=true" : ""}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': XLSX }, body: fs.createReadStream(file), duplex: 'half' });
        const body = await res.json();
        if (res.status !== 200 || body.created !== n) throw new Error(`import of ${n}: ${res.status} ${JSON.stringify(body).slice(0, 800)}`);
        return body;
      });
      results.push({ op: 'import xlsx', n, bytes: fs.statSync(file).size, ...m });
      fs.rmSync(file);
    }
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
    server = null;
    if (kind === 'mariadb') await dropDatabase(MYSQL_DB).catch(() => undefined);
  }

  printTable(['operation', 'rows', 'file MB', 'seconds', 'rows/s', 'peak RSS MB (growth)', 'peak heap used MB (growth)', 'peak live heap MB (growth)'], results.map((r) => [
    r.op, r.n.toLocaleString('en-US'), (r.bytes / MB).toFixed(1), r.seconds.toFixed(1), fmtInt(r.n / r.seconds),
    `${mb(r.peak.rss)} (+${mb(r.peak.rss - r.baseline.rss)})`, `${mb(r.peak.heap)} (+${mb(r.peak.heap - r.baseline.heap)})`, `${mb(r.peak.live)} (+${mb(Math.max(0, r.peak.live - r.baseline.live))})`,
  ]));
  if (SIZES.length >= 2) {
    const [small, large] = [Math.min(...SIZES), MAX];
    for (const op of ['export xlsx', 'import xlsx']) {
      const a = results.find((r) => r.op === op && r.n === small);
      const b = results.find((r) => r.op === op && r.n === large);
      const ratio = (x, y) => (y > 0 ? (x / y).toFixed(2) : 'n/a');
      console.log(
        `${op} ${large / 1000}k/${small / 1000}k: time ×${ratio(b.seconds, a.seconds)}; peak RSS ×${ratio(b.peak.rss, a.peak.rss)} (growth ×${ratio(b.peak.rss - b.baseline.rss, a.peak.rss - a.baseline.rss)}); ` +
          `peak heap used ×${ratio(b.peak.heap, a.peak.heap)}; peak live heap ×${ratio(b.peak.live, a.peak.live)} (growth ×${ratio(b.peak.live - b.baseline.live, a.peak.live - a.baseline.live)})`,
      );
    }
  }
  return results;
}

(async () => {
  for (const kind of DBS) await runDatabase(kind);
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
