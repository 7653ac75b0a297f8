#!/usr/bin/env node
'use strict';
/**
 * File-store benchmark: upload and download throughput (MB/s) of distinct 4 MiB files,
 * 4 at a time, contents stored in the database (1 MiB chunks), against a baseline
 * measured in the same run: writing and reading the same bytes as local files.
 *
 * Env: BENCH_FILES (default 24), BENCH_FILE_MB (default 4), BENCH_MYSQL_URL,
 * BENCH_DBS (default mariadb,sqlite).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { DBS, dbLabel, withPlatform, printTable } = require('./lib');

const FILES = Number(process.env.BENCH_FILES || 24);
const SIZE = Number(process.env.BENCH_FILE_MB || 4) * 1024 * 1024;
const PARALLEL = 4;
const PASSWORD = 'Bench-Files-Pass-1';

/** Run `task(i)` for i < n, `PARALLEL` at a time; seconds taken. */
async function timed(n, task) {
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => { while (next < n) await task(next++); }));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const mbps = (seconds) => (FILES * SIZE) / (1024 * 1024) / seconds;

async function baseline(blobs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-bench-files-'));
  try {
    const up = await timed(FILES, (i) => fs.promises.writeFile(path.join(dir, String(i)), blobs[i]));
    const down = await timed(FILES, async (i) => { if ((await fs.promises.readFile(path.join(dir, String(i)))).length !== SIZE) throw new Error('short read'); });
    return { up: mbps(up), down: mbps(down) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(kind, blobs) {
  return withPlatform({ kind, name: 'plinth_bench_files', password: PASSWORD, env: { UPLOAD_LIMIT: `${Math.ceil(SIZE / 1024 / 1024)}mb` } }, async ({ base, token }) => {
    const auth = { authorization: `Bearer ${token}` };
    const ids = [];
    const up = await timed(FILES, async (i) => {
      const res = await fetch(`${base}/api/v1/files`, { method: 'POST', headers: { ...auth, 'content-type': 'application/octet-stream', 'x-file-name': `f${i}.bin` }, body: blobs[i] });
      if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
      ids[i] = (await res.json()).id;
    });
    const down = await timed(FILES, async (i) => {
      const res = await fetch(`${base}/api/v1/files/${ids[i]}`, { headers: auth });
      const body = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200 || body.length !== SIZE) throw new Error(`download: ${res.status}, ${body.length} bytes`);
    });
    return { up: mbps(up), down: mbps(down) };
  });
}

(async () => {
  const blobs = Array.from({ length: FILES }, () => crypto.randomBytes(SIZE));
  const disk = await baseline(blobs);
  const rows = [['local files (baseline)', disk]];
  for (const kind of DBS) rows.push([dbLabel(kind), await measure(kind, blobs)]);
  console.log(`\nFile store: ${FILES} distinct files of ${SIZE / 1024 / 1024} MiB, ${PARALLEL} at a time, over HTTP with a bearer token`);
  printTable(['store', 'upload MB/s', 'download MB/s', 'upload ratio', 'download ratio'],
    rows.map(([label, r]) => [label, r.up.toFixed(0), r.down.toFixed(0), (r.up / disk.up).toFixed(2), (r.down / disk.down).toFixed(2)]));
})().catch((err) => { console.error(err); process.exitCode = 1; });
