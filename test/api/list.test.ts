import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

interface Row {
  id: number;
  customerNo: string;
  name: string;
  city: string | null;
  level: string | null;
  valueScore: number | null;
  establishedValue: number | null;
  birthDate: string | null;
  doNotContact: boolean;
}

const CITIES = ['上海', '北京', '广州', null];
const LEVELS = ['vip', 'a', 'b', null];

/** 40 customers whose fields cycle so every operator has a known answer. */
const dataset = Array.from({ length: 40 }, (_, i) => ({
  customerNo: `C${String(1000 + i).padStart(8, '0')}`,
  name: i % 5 === 0 ? `张_${i}%` : `客户${i}`,
  kind: i % 7 === 0 ? 'organisation' : 'person',
  status: 'active',
  city: CITIES[i % 4],
  level: LEVELS[Math.floor(i / 4) % 4],
  valueScore: i % 6 === 0 ? null : (i * 7) % 100,
  establishedValue: i % 3 === 0 ? null : i * 1000.5,
  birthDate: i % 8 === 0 ? null : `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
  doNotContact: i % 2 === 0,
}));

describeEachDatabase('list queries', (db) => {
  let t: TestPlatform;
  let all: Row[];
  beforeAll(async () => {
    t = await startTestPlatform(db);
    const res = await t.api.post('/api/v1/customers/bulk', { create: dataset });
    expect(res.status).toBe(200);
    all = res.body.created;
  });
  afterAll(async () => t?.stop());

  const ids = (rows: { id: number }[]) => rows.map((r) => r.id).sort((a, b) => a - b);
  const expectIds = (rows: { id: number }[], pred: (r: Row) => boolean) => expect(ids(rows)).toEqual(ids(all.filter(pred)));
  const list = async (qs: string) => {
    const res = await t.api.get(`/api/v1/customers?limit=500&${qs}`);
    expect(res.status).toBe(200);
    return res.body.data as Row[];
  };
  const filter = (f: unknown) => list(`filter=${encodeURIComponent(JSON.stringify(f))}`);

  it.each([
    ['eq', { city: { eq: '上海' } }, (r: Row) => r.city === '上海'],
    ['bare value means eq', { city: '北京' }, (r: Row) => r.city === '北京'],
    ['eq null', { city: null }, (r: Row) => r.city === null],
    ['ne keeps nulls', { city: { ne: '上海' } }, (r: Row) => r.city !== '上海'],
    ['gt', { valueScore: { gt: 50 } }, (r: Row) => r.valueScore !== null && r.valueScore > 50],
    ['gte', { valueScore: { gte: 49 } }, (r: Row) => r.valueScore !== null && r.valueScore >= 49],
    ['lt on money', { establishedValue: { lt: 10000 } }, (r: Row) => r.establishedValue !== null && r.establishedValue < 10000],
    ['lte on dates', { birthDate: { lte: '1975-01-01' } }, (r: Row) => r.birthDate !== null && r.birthDate <= '1975-01-01'],
    ['in', { level: { in: ['vip', 'b'] } }, (r: Row) => r.level === 'vip' || r.level === 'b'],
    ['nin keeps nulls', { level: { nin: ['vip', 'b'] } }, (r: Row) => r.level !== 'vip' && r.level !== 'b'],
    ['in empty matches nothing', { level: { in: [] } }, () => false],
    ['like', { name: { like: '客户1%' } }, (r: Row) => r.name.startsWith('客户1')],
    ['contains escapes wildcards', { name: { contains: '_1' } }, (r: Row) => r.name.includes('_1')],
    ['contains a literal percent', { name: { contains: '%' } }, (r: Row) => r.name.includes('%')],
    ['startsWith', { name: { startsWith: '张_' } }, (r: Row) => r.name.startsWith('张_')],
    ['between', { valueScore: { between: [20, 40] } }, (r: Row) => r.valueScore !== null && r.valueScore >= 20 && r.valueScore <= 40],
    ['null true', { valueScore: { null: true } }, (r: Row) => r.valueScore === null],
    ['null false', { establishedValue: { null: false } }, (r: Row) => r.establishedValue !== null],
    ['boolean', { doNotContact: true }, (r: Row) => r.doNotContact],
    ['two operators on one field', { valueScore: { gt: 10, lt: 30 } }, (r: Row) => r.valueScore !== null && r.valueScore > 10 && r.valueScore < 30],
    ['and', { and: [{ city: '上海' }, { level: 'vip' }] }, (r: Row) => r.city === '上海' && r.level === 'vip'],
    ['or', { or: [{ city: '上海' }, { level: 'vip' }] }, (r: Row) => r.city === '上海' || r.level === 'vip'],
    ['nested and/or/not', { or: [{ and: [{ city: '北京' }, { not: { level: null } }] }, { valueScore: { gte: 90 } }] }, (r: Row) => (r.city === '北京' && r.level !== null) || (r.valueScore !== null && r.valueScore >= 90)],
  ])('%s', async (_name, f, pred) => {
    expectIds(await filter(f), pred);
  });

  it('reads bracket filters from the query string, coercing by field type', async () => {
    expectIds(await list('filter[city]=%E4%B8%8A%E6%B5%B7&filter[valueScore][gte]=30&filter[doNotContact]=false'), (r) => r.city === '上海' && r.valueScore !== null && r.valueScore >= 30 && !r.doNotContact);
    expectIds(await list('filter[level][in]=vip,a'), (r) => r.level === 'vip' || r.level === 'a');
  });

  it('filters through a reference path', async () => {
    const target = all.find((r) => r.city === '广州')!;
    await t.api.post('/api/v1/contacts', { customer: target.id, name: '广州联系人' });
    const other = all.find((r) => r.city === '上海')!;
    await t.api.post('/api/v1/contacts', { customer: other.id, name: '上海联系人' });
    const res = await t.api.get(`/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ 'customer.city': '广州' }))}&fields=name`);
    expect(res.body.data.map((c: { name: string }) => c.name)).toEqual(['广州联系人']);
  });

  it('sorts on several fields with nulls first ascending', async () => {
    const rows = await list('sort=level,-valueScore&fields=level,valueScore');
    const rank = (l: string | null) => (l === null ? '' : l);
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      expect(rank(a.level) <= rank(b.level)).toBe(true);
      if (a.level === b.level) expect((a.valueScore ?? -1) >= (b.valueScore ?? -1)).toBe(true);
    }
  });

  it('pages with limit/offset and counts the total', async () => {
    const first = await t.api.get('/api/v1/customers?limit=15&offset=0&sort=customerNo&count=true');
    const last = await t.api.get('/api/v1/customers?limit=15&offset=30&sort=customerNo&count=true');
    expect(first.body.meta).toEqual({ limit: 15, offset: 0, total: 40, nextCursor: expect.any(String) });
    expect(first.body.data).toHaveLength(15);
    expect(last.body.data).toHaveLength(10);
    expect(last.body.meta.nextCursor).toBeNull();
    expect(first.body.data[0].customerNo).toBe('C00001000');
    expect(last.body.data[9].customerNo).toBe('C00001039');
    const beyond = await t.api.get('/api/v1/customers?limit=15&offset=45');
    expect(beyond.body.data).toEqual([]);
  });

  it.each([
    ['-valueScore'],
    ['city,-birthDate'],
    ['level,establishedValue'],
    ['-createdAt'],
  ])('walks every row exactly once with cursors, sorted by %s, ties and nulls included', async (sort) => {
    const full = await list(`sort=${sort}&fields=id`);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { data: { id: number }[]; meta: { nextCursor: string | null } } } = await t.api.get(`/api/v1/customers?limit=7&sort=${sort}&fields=id${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.data.map((r) => r.id));
      cursor = res.body.meta.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toEqual(full.map((r) => r.id));
    expect(pages).toBe(Math.ceil(40 / 7));
  });

  it('ends a cursor walk on an exact multiple without an empty page', async () => {
    const p1 = await t.api.get('/api/v1/customers?limit=20&sort=id');
    const p2 = await t.api.get(`/api/v1/customers?limit=20&sort=id&cursor=${p1.body.meta.nextCursor}`);
    expect(p2.body.data).toHaveLength(20);
    expect(p2.body.meta.nextCursor).toBeNull();
  });

  it.each([
    ['filter=not-json', 'filter', 'json'],
    ['filter={"nope":1}', 'filter.nope', 'unknown-field'],
    ['filter={"city":{"regex":"x"}}', 'filter.city.regex', 'operator'],
    ['filter={"valueScore":"lots"}', 'filter.valueScore', 'type'],
    ['filter={"city":{"in":"x"}}', 'filter.city.in', 'type'],
    ['filter={"tags":{"eq":"x"}}', 'filter.tags.eq', 'not-filterable'],
    ['filter={"name.x":1}', 'filter.name.x', 'not-a-reference'],
    ['filter={"or":[]}', 'filter.or', 'type'],
    ['filter={"city":{"between":[1]}}', 'filter.city.between', 'type'],
    ['filter[city][eq][x]=1', 'filter[city][eq][x]', 'syntax'],
    ['sort=nope', 'sort', 'unknown-field'],
    ['sort=remarks', 'sort', 'not-sortable'],
    ['sort=name;DROP TABLE customers', 'sort', 'unknown-field'],
    ['fields=name,secret', 'fields', 'unknown-field'],
    ['fields=customer.name', 'fields', 'not-expanded'],
    ['expand=name', 'expand', 'not-expandable'],
    ['limit=0', 'limit', 'range'],
    ['limit=10000', 'limit', 'range'],
    ['limit=-1', 'limit', 'type'],
    ['offset=x', 'offset', 'type'],
    ['cursor=garbage', 'cursor', 'invalid'],
    ['count=maybe', 'count', 'type'],
    ['color=red', 'color', 'unknown-parameter'],
  ])('refuses %s with 400 naming %s (%s)', async (qs, field, rule) => {
    const res = await t.api.get(`/api/v1/customers?${qs.replace(/[{}":\[\] ;,]/g, (c) => encodeURIComponent(c))}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
  });

  it('takes filter values as data, never as SQL', async () => {
    const evil = "上海' OR '1'='1";
    expect(await filter({ city: evil })).toEqual([]);
    expect(await filter({ name: { contains: "'); DROP TABLE customers; --" } })).toEqual([]);
    expect((await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total).toBe(40);
  });

  it('accepts the same query as a JSON body', async () => {
    const res = await t.api.post('/api/v1/customers/query', { filter: { city: '广州' }, sort: ['customerNo'], fields: ['customerNo'], count: true, limit: 3 });
    expect(res.status).toBe(200);
    expect(res.body.meta.total).toBe(all.filter((r) => r.city === '广州').length);
    expect(res.body.data).toHaveLength(3);
    const bad = await t.api.post('/api/v1/customers/query', { filter: { city: '广州' }, where: 1 });
    expect(bad.status).toBe(400);
  });
});
