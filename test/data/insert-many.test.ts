import type { FieldModel } from '../../core/src/meta/model';
import type { Executor } from '../../core/src/data/database';
import { batches, insertRows } from '../../core/src/data/batches';
import { RowInsertError } from '../../core/src/data/repository';
import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const label = (s: string) => ({ 'zh-CN': s, en: s });

/** An executor that counts the INSERT statements run through it (transactions included). */
function counting(inner: Executor, inserts: Map<string, number>): Executor {
  const count = (sql: string) => {
    const m = /^INSERT INTO [`"]?([a-z_]+)/i.exec(sql);
    if (m) inserts.set(m[1], (inserts.get(m[1]) ?? 0) + 1);
  };
  return {
    dialect: inner.dialect,
    inTransaction: inner.inTransaction,
    all: (sql, params) => (count(sql), inner.all(sql, params)),
    run: (sql, params) => (count(sql), inner.run(sql, params)),
    transaction: (fn) => inner.transaction((tx) => fn(counting(tx, inserts))),
    afterCommit: (fn) => inner.afterCommit(fn),
  };
}

describe('insert batches', () => {
  const measure = (n: number) => ({ params: n, bytes: n * 10 });
  const runs = (items: number[], same?: (a: number, b: number) => boolean) => [...batches(items, measure, same, { rows: 3, params: 10, bytes: 1000 })].map((r) => [r.start, r.items]);

  it('cuts runs by rows, parameters, bytes and column sets, in order, never empty', () => {
    expect(runs([1, 1, 1, 1, 1, 1, 1])).toEqual([[0, [1, 1, 1]], [3, [1, 1, 1]], [6, [1]]]);
    expect(runs([4, 4, 4, 11, 1])).toEqual([[0, [4, 4]], [2, [4]], [3, [11]], [4, [1]]]);
    expect(runs([1, 1, 2, 2, 1], (a, b) => a === b)).toEqual([[0, [1, 1]], [2, [2, 2]], [4, [1]]]);
    expect([...batches([150], (n: number) => ({ params: 1, bytes: n * 10 }), undefined, { rows: 9, params: 9, bytes: 1000 })]).toEqual([{ start: 0, items: [150] }]);
    expect(runs([])).toEqual([]);
  });
});

describeEachDatabase('bulk creates, several rows to a statement', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: ['org', 'customers', 'contacts'] });
    const res = await t.api.post('/api/v1/meta/entities/customer/custom-fields', { name: 'channels', type: 'multiChoice', label: label('channels'), options: ['sms', 'mail', 'wechat'].map((v) => ({ value: v, label: label(v) })) });
    expect(res.status).toBe(201);
  });
  afterAll(async () => t?.stop());

  const valuesOf = (fields: Record<string, unknown>): Map<FieldModel, unknown> => {
    const entity = t.platform.store.entity('customer');
    const now = '2026-01-01 00:00:00.000';
    const all: Record<string, unknown> = { version: 1, createdAt: now, updatedAt: now, createdBy: 1, updatedBy: 1, owner: 1, department: null, kind: 'person', status: 'active', ...fields };
    return new Map(Object.entries(all).map(([k, v]) => [entity.fields.get(k)!, v]));
  };

  it('writes 1,200 records in a handful of statements, ids in row order, join-table rows included', async () => {
    const inserts = new Map<string, number>();
    const rows = Array.from({ length: 1200 }, (_, i) =>
      valuesOf({ customerNo: `C1${String(i).padStart(7, '0')}`, name: `批量${i}`, ...(i < 600 ? { channels: i % 2 ? ['sms', 'wechat'] : ['mail'] } : { city: '上海' }) }),
    );
    const repo = t.platform.store.repository('customer');
    const ids = await t.platform.db.transaction((tx) => repo.insertMany(counting(tx, inserts), rows));
    expect(ids).toHaveLength(1200);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
    // 600 rows with channels, 600 with city: runs of at most 500 rows → 4 statements (row by row would be 1,200).
    expect(inserts.get('customers')).toBe(4);
    const stored = await t.platform.db.all<{ id: number; customer_no: string }>(`SELECT id, customer_no FROM customers WHERE customer_no LIKE 'C1%' ORDER BY id`);
    expect(stored.map((r) => [Number(r.id), r.customer_no])).toEqual(ids.map((id, i) => [id, `C1${String(i).padStart(7, '0')}`]));
    const ids2 = async (q: string) => (await t.api.get(`/api/v1/customers?${q}&filter[customerNo][startsWith]=C1&count=true&limit=1`)).body.meta.total;
    expect(await ids2('filter[channels]=wechat')).toBe(300);
    expect(await ids2('filter[channels]=mail')).toBe(300);
    expect(await ids2('filter[channels][null]=true')).toBe(600);
    const record = (await t.api.get(`/api/v1/customers/${ids[1]}`)).body;
    expect(record).toMatchObject({ customerNo: 'C10000001', channels: ['sms', 'wechat'] });
  });

  it('names the row the database refuses in a multi-row statement; the transaction writes nothing', async () => {
    const before = (await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total;
    const existing = (await t.api.post('/api/v1/customers', { customerNo: 'C20000001', name: '已有', kind: 'person', status: 'active' })).body;
    const rows = Array.from({ length: 10 }, (_, i) => valuesOf({ customerNo: i === 7 ? 'C20000001' : `C2${String(i + 10).padStart(7, '0')}`, name: `r${i}` }));
    const repo = t.platform.store.repository('customer');
    const err = await t.platform.db.transaction((tx) => repo.insertMany(tx, rows)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RowInsertError);
    expect((err as RowInsertError).index).toBe(7);
    expect((await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total).toBe(before + 1);

    const bulk = await t.api.post('/api/v1/customers/bulk', { create: Array.from({ length: 10 }, (_, i) => ({ customerNo: i === 4 ? 'C20000001' : `C2${String(i + 100).padStart(7, '0')}`, name: `b${i}`, kind: 'person', status: 'active' })) });
    expect(bulk.status).toBe(409);
    expect(bulk.body.errors).toEqual([expect.objectContaining({ field: 'create[4].customerNo', rule: 'unique' })]);
    expect((await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total).toBe(before + 1);
    expect(existing.customerNo).toBe('C20000001');
  });

  it('audits every record of a 1,000-row bulk create', async () => {
    const create = Array.from({ length: 1000 }, (_, i) => ({ customerNo: `C3${String(i).padStart(7, '0')}`, name: `审计${i}`, kind: 'person', status: 'active', channels: ['sms'] }));
    const res = await t.api.post('/api/v1/customers/bulk', { create });
    expect(res.status).toBe(200);
    const ids: number[] = res.body.created.map((r: { id: number }) => r.id);
    const audited = await t.platform.db.all<{ record_id: number; changes: string }>(`SELECT record_id, changes FROM plinth_audit_log WHERE entity = 'customer' AND action = 'create' AND record_id IN (${ids.map(() => '?').join(', ')}) ORDER BY record_id`, ids);
    expect(audited.map((r) => Number(r.record_id))).toEqual([...ids].sort((a, b) => a - b));
    expect(JSON.parse(audited[0].changes)).toMatchObject({ customerNo: { before: null, after: 'C30000000' }, channels: { before: null, after: ['sms'] } });
  });

  if (db.name === 'mariadb') {
    it("reads MySQL's ids of a multi-row INSERT from the first one and the session's increment", async () => {
      await t.platform.db.run('CREATE TABLE scratch_ids (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10))');
      const ids = await t.platform.db.transaction(async (tx) => {
        await tx.run('SET SESSION auto_increment_increment = 3');
        try {
          const mysqlLike: Executor = { ...tx, dialect: { ...tx.dialect, insertIds: 'consecutive' }, all: (s, p) => tx.all(s, p), run: (s, p) => tx.run(s, p) };
          await insertRows(mysqlLike, 'scratch_ids', ['v'], [['x']]);
          return await insertRows(mysqlLike, 'scratch_ids', ['v'], [['a'], ['b'], ['c'], ['d']]);
        } finally {
          await tx.run('SET SESSION auto_increment_increment = 1');
        }
      });
      const stored = await t.platform.db.all<{ id: number; v: string }>("SELECT id, v FROM scratch_ids WHERE v <> 'x' ORDER BY id");
      expect(stored.map((r) => [Number(r.id), r.v])).toEqual(ids.map((id, i) => [id, 'abcd'[i]]));
      expect(ids[1] - ids[0]).toBe(3);
    });
  }
});
