import { EntityRepository } from '../../core/src/data/repository';
import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const label = (en: string) => ({ 'zh-CN': en, en });
const CF = '/api/v1/meta/entities/customer/custom-fields';
const HOSTILE = 'a "quoted" \\ back\\slash\nnew line\ttab \u0001 control </script> 😀 中文';
const SHORT = '"q" \\ \u0002 😀';

/**
 * On the embedded database list pages are rendered as JSON by SQLite (core/src/data/rendered.ts);
 * a read by id decodes rows in JavaScript (core/src/data/codec.ts). Both must give every field
 * the same value. On MySQL/MariaDB both decode in JavaScript: the same checks hold.
 */
describeEachDatabase('list pages rendered by the database', (db) => {
  let t: TestPlatform;
  let rendered: jest.SpyInstance;
  const ids: number[] = [];

  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: ['org', 'customers', 'contacts'] });
    const add = async (spec: Record<string, unknown>) => {
      const res = await t.api.post(CF, { label: label(String(spec.name)), ...spec });
      if (res.status !== 201) throw new Error(`adding ${String(spec.name)}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await add({ name: 'hobby', type: 'text' });
    await add({ name: 'story', type: 'longText' });
    await add({ name: 'children', type: 'integer' });
    await add({ name: 'score', type: 'number', scale: 6 });
    await add({ name: 'deposit', type: 'money' });
    await add({ name: 'anniversary', type: 'date' });
    await add({ name: 'visitedAt', type: 'datetime' });
    await add({ name: 'vip', type: 'boolean' });
    await add({ name: 'tier', type: 'choice', options: ['gold', 'silver'].map((v) => ({ value: v, label: label(v) })) });
    await add({ name: 'channels', type: 'multiChoice', options: ['sms', 'mail'].map((v) => ({ value: v, label: label(v) })) });
    await add({ name: 'advisor', type: 'user' });
    const rows: Record<string, unknown>[] = [
      {
        hobby: HOSTILE, story: '长文本'.repeat(50), children: 0, score: 123456789012.123456, deposit: 9876543210123.45, anniversary: '2020-02-29',
        visitedAt: '2026-01-02T03:04:05.678Z', vip: true, tier: 'gold', channels: ['sms', 'mail'], advisor: 1, idNumber: '110101199001011234', tags: ['高净值', SHORT],
        establishedValue: 0.1, potentialValue: 12.5, consentSms: false,
      },
      { hobby: '', children: -3, score: 0.3, deposit: 0, vip: false, channels: [], tags: [], establishedValue: 100 },
      {}, // every optional field empty
      { score: -0.000001, deposit: 0.07, visitedAt: '1999-12-31T23:59:59.000Z', idNumber: '310101198512120021' },
    ];
    for (const [i, extra] of rows.entries()) {
      const res = await t.api.post('/api/v1/customers', { customerNo: `C9${String(i).padStart(7, '0')}`, name: `客户${i}`, kind: 'person', status: 'active', ...extra });
      if (res.status !== 201) throw new Error(`row ${i}: ${JSON.stringify(res.body)}`);
      ids.push(res.body.id);
    }
    // A date-time not written by the platform (no milliseconds), as an import by hand or an old row may hold.
    await t.platform.db.run(`UPDATE customers SET cf_visited_at = '2025-06-07 08:09:10', last_contact_at = '2024-01-02 03:04:05.5' WHERE id = ?`, [ids[2]]);
  });
  afterAll(async () => t?.stop());
  beforeEach(() => {
    rendered = jest.spyOn(EntityRepository.prototype, 'listRendered');
  });
  afterEach(() => rendered.mockRestore());

  /** Whether the last list call was answered by the database's JSON (it is on the embedded database). */
  const renderedByDatabase = async () => (await rendered.mock.results.at(-1)?.value) != null;

  it('gives every field of every record the value a read by id gives, hostile text and encrypted fields included', async () => {
    const list = await t.api.get(`/api/v1/customers?filter[id][in]=${ids.join(',')}&sort=id`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await renderedByDatabase()).toBe(db.name === 'sqlite');
    expect(list.body.data.map((r: { id: number }) => r.id)).toEqual(ids);
    for (const record of list.body.data) expect(record).toEqual((await t.api.get(`/api/v1/customers/${record.id}`)).body);
    const [first, second, third] = list.body.data;
    expect(first).toMatchObject({ hobby: HOSTILE, vip: true, channels: ['sms', 'mail'], idNumber: '110101199001011234', score: 123456789012.123456, visitedAt: '2026-01-02T03:04:05.678Z', establishedValue: 0.1 });
    expect(second).toMatchObject({ hobby: '', vip: false, channels: [], tags: [], children: -3, score: 0.3, deposit: 0 });
    expect(third).toMatchObject({ visitedAt: '2025-06-07T08:09:10.000Z', lastContactAt: '2024-01-02T03:04:05.500Z', idNumber: null, vip: null, channels: null, score: null });
  });

  it('pages by cursor and by offset as the decoded list does, with the total', async () => {
    const walk = async (query: string) => {
      const seen: number[] = [];
      let url = `/api/v1/customers?${query}&limit=3&count=true`;
      for (;;) {
        const res = await t.api.get(url);
        expect(res.status).toBe(200);
        expect(res.body.meta.total).toBe(seen.length ? undefined : ids.length);
        seen.push(...res.body.data.map((r: { id: number }) => r.id));
        if (!res.body.meta.nextCursor) return seen;
        url = `/api/v1/customers?${query}&limit=3&cursor=${res.body.meta.nextCursor}`;
      }
    };
    expect(await walk('sort=-visitedAt,id')).toEqual([ids[0], ids[2], ids[3], ids[1]]);
    expect(await walk('sort=name')).toEqual(ids);
    const second = await t.api.get('/api/v1/customers?sort=id&limit=2&offset=2&fields=id,name,vip');
    expect(second.body).toEqual({ data: [{ id: ids[2], name: '客户2', vip: null }, { id: ids[3], name: '客户3', vip: null }], meta: { limit: 2, offset: 2, nextCursor: null } });
  });

  it('answers the body query, the recycle bin and expansions alike', async () => {
    const query = await t.api.post('/api/v1/customers/query', { filter: { hobby: HOSTILE }, fields: ['id', 'hobby', 'tags'] });
    expect(query.body.data).toEqual([{ id: ids[0], hobby: HOSTILE, tags: ['高净值', SHORT] }]);

    const deleted = (await t.api.get(`/api/v1/customers/${ids[1]}`)).body;
    expect((await t.api.delete(`/api/v1/customers/${ids[1]}`, { 'if-match': `"${deleted.version}"` })).status).toBe(204);
    const trash = await t.api.get('/api/v1/customers/trash?fields=id,deletedAt,deletedBy,children');
    expect(await renderedByDatabase()).toBe(db.name === 'sqlite');
    expect(trash.body.data).toEqual([{ id: ids[1], deletedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), deletedBy: 1, children: -3 }]);

    // Expansions embed other records: decoded in JavaScript on every database.
    rendered.mockClear();
    const expanded = await t.api.get(`/api/v1/customers?filter[id]=${ids[0]}&expand=advisor&fields=id,advisor.username`);
    expect(await renderedByDatabase()).toBe(false);
    expect(expanded.body.data).toEqual([{ id: ids[0], advisor: { id: 1, username: 'admin' } }]);
  });
});
