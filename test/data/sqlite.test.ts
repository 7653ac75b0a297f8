import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { SqliteExecutor } from '../../core/src/data/sqlite';

describe('embedded database executor', () => {
  let dir: string;
  let db: SqliteExecutor;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-sqlite-'));
    db = SqliteExecutor.open(path.join(dir, 'x.db'));
    await db.run('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT UNIQUE)');
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs concurrent transactions one after another, each all-or-nothing', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.run('INSERT INTO t (v) VALUES (?)', [`a${i}`]);
          await new Promise((r) => setImmediate(r));
          if (i % 5 === 0) throw new Error('boom');
          await tx.run('INSERT INTO t (v) VALUES (?)', [`b${i}`]);
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(4);
    const rows = await db.all<{ v: string }>('SELECT v FROM t ORDER BY id');
    expect(rows).toHaveLength(32);
    expect(rows.some((r) => r.v === 'a0' || r.v === 'a5')).toBe(false);
  });

  it('keeps readers outside a transaction from seeing its uncommitted rows', async () => {
    let seenInside = -1;
    let seenOutside = -1;
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (v) VALUES (?)', ['x']);
      seenInside = (await tx.all<{ n: number }>('SELECT COUNT(*) AS n FROM t'))[0].n;
      seenOutside = (await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM t'))[0].n;
    });
    expect([seenInside, seenOutside]).toEqual([1, 0]);
    expect((await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM t'))[0].n).toBe(1);
  });

  it('waits for another process holding the write lock instead of failing, and stays usable after a constraint error', async () => {
    // Another process takes the write lock, holds it for 300 ms, then commits.
    const holder = spawn(process.execPath, ['-e', `
      const db = new (require('libsql'))(${JSON.stringify(path.join(dir, 'x.db'))});
      db.exec('BEGIN IMMEDIATE'); db.exec("INSERT INTO t (v) VALUES ('other')");
      process.stdout.write('locked\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      db.exec('COMMIT'); db.close();
    `], { cwd: process.cwd() });
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
      holder.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (v) VALUES (?)', ['mine']);
    });
    await expect(db.transaction((tx) => tx.run('INSERT INTO t (v) VALUES (?)', ['mine']))).rejects.toThrow(/UNIQUE/);
    await db.transaction((tx) => tx.run('INSERT INTO t (v) VALUES (?)', ['after']));
    expect((await db.all<{ v: string }>('SELECT v FROM t ORDER BY id')).map((r) => r.v)).toEqual(['other', 'mine', 'after']);
  });
});
