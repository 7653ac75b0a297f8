import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteExecutor } from '../../core/src/data/sqlite';
import { packedSelect } from '../../core/src/data/packed';
import { propertyKey } from '../../core/src/data/generated';

describe('packed rows on the embedded database', () => {
  let dir: string;
  let db: SqliteExecutor;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plinth-packed-'));
    db = SqliteExecutor.open(path.join(dir, 'x.db'));
  });
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives back exactly what a plain select gives, for every kind of value, across several packed columns', async () => {
    // 260 columns: more than SQLite's 127 arguments a function call, so three packed arrays.
    const names = Array.from({ length: 260 }, (_, i) => `c${i}`);
    await db.run(`CREATE TABLE wide (id INTEGER PRIMARY KEY, ${names.map((n) => `${n} ${Number(n.slice(1)) % 4 === 1 ? 'NUMERIC' : 'TEXT'}`).join(', ')})`);
    const values = (row: number) =>
      names.map((n, i) => {
        switch (i % 8) {
          case 0: return `文本 "quoted" \\ back\nline ${row} 😀`;
          case 1: return 1234567890123.45 + row;
          case 2: return null;
          case 3: return '[1,"two"]'; // JSON-looking text stays text
          case 5: return 0.1 + 0.2;
          case 6: return '';
          default: return i * row;
        }
      });
    for (const row of [1, 2, 3]) await db.run(`INSERT INTO wide (id, ${names.join(', ')}) VALUES (?, ${names.map(() => '?').join(', ')})`, [row, ...values(row)]);
    const plain = await db.all(`SELECT t.id AS id, ${names.map((n) => `t.${n} AS ${n}`).join(', ')} FROM wide t ORDER BY t.id`);
    const packed = packedSelect([{ expr: 't.id', name: 'id', wideReal: false }, ...names.map((n) => ({ expr: `t.${n}`, name: n, wideReal: false }))]);
    expect(packed.list.match(/json_array\(/g)).toHaveLength(3);
    const rows = (await db.all(`SELECT ${packed.list} FROM wide t ORDER BY t.id`)).map(packed.unpack);
    // REALs of up to 15 significant digits come back exactly; 0.1 + 0.2 (17 digits) is rounded to 15 …
    const roundedTo15 = plain.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(15)) : v])));
    expect(rows).toEqual(roundedTo15);
    expect(rows[0].c1).toBe(1234567890124.45);
  });

  it('packs REALs of wide decimal columns with 17 digits, so the double comes back exactly', async () => {
    await db.run('CREATE TABLE dec (id INTEGER PRIMARY KEY, d DECIMAL(18,6))');
    const stored = [123456789012.123456, 0.1 + 0.2, 7, null];
    for (const [i, v] of stored.entries()) await db.run('INSERT INTO dec (id, d) VALUES (?, ?)', [i + 1, v]);
    const packed = packedSelect([{ expr: 't.d', name: 'd', wideReal: true }]);
    const back = (await db.all(`SELECT ${packed.list} FROM dec t ORDER BY t.id`)).map(packed.unpack).map((r) => (r.d === null ? null : Number(r.d)));
    expect(back).toEqual(stored);
  });

  it('generates code only from plain identifiers', () => {
    expect(propertyKey('customerNo')).toBe('"customerNo"');
    for (const bad of ['__proto__', 'a-b', 'a"b', '1a', '', 'x;y']) expect(() => propertyKey(bad)).toThrow(/Not a field name/);
  });
});
