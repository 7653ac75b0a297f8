import { describeEachDatabase, startTestPlatform, type TestPlatform, type Api } from '../support/platform';
import { label, signedInUser } from './helpers';

describeEachDatabase('dictionaries', (db) => {
  let t: TestPlatform;
  let reader: Api;
  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: [] });
    reader = (await signedInUser(t, 'dictreader')).api;
  });
  afterAll(async () => t?.stop());

  const dictionaryId = async (code: string): Promise<number> => (await t.api.get(`/api/v1/dictionaries?filter[code]=${code}`)).body.data[0].id;
  const item = async (dictionary: number, code: string, extra: Record<string, unknown> = {}) => t.api.post('/api/v1/dictionaryItems', { dictionary, code, label: label(code, code), ...extra });

  it('ships gender, ID document type and currency dictionaries with zh-CN and en labels, loaded into memory', async () => {
    const res = await t.api.get('/api/v1/dictionaries/currency/items');
    expect(res.status).toBe(200);
    expect(res.body.dictionary).toMatchObject({ code: 'currency', label: { 'zh-CN': '币种', en: 'Currency' } });
    expect(res.body.data.slice(0, 2)).toEqual([
      expect.objectContaining({ code: 'CNY', label: expect.objectContaining({ 'zh-CN': '人民币', en: 'Chinese yuan' }), enabled: true, parent: null }),
      expect.objectContaining({ code: 'USD' }),
    ]);
    expect(t.platform.dictionaries.values('gender')).toEqual(['male', 'female', 'unknown']);
    expect(t.platform.dictionaries.values('idDocumentType')).toContain('passport');
    expect(t.platform.dictionaries.label('gender', 'female', 'en')).toBe('Female');
    expect(t.platform.dictionaries.label('gender', 'female', 'zh-TW')).toBe('女');
    expect(t.platform.dictionaries.values('nothing')).toBeUndefined();
  });

  it('lets every signed-in user read dictionaries, and only administrators write them', async () => {
    expect((await reader.get('/api/v1/dictionaries?limit=50')).body.data.map((d: { code: string }) => d.code)).toEqual(expect.arrayContaining(['gender', 'currency']));
    expect((await reader.get('/api/v1/dictionaries/gender/items')).body.data).toHaveLength(3);
    const created = await reader.post('/api/v1/dictionaries', { code: 'sneaky', label: label('偷偷', 'Sneaky') });
    expect(created.status).toBe(403);
    const gender = await dictionaryId('gender');
    expect((await reader.post('/api/v1/dictionaryItems', { dictionary: gender, code: 'other', label: label('其他', 'Other') })).status).toBe(403);
    const male = (await reader.get(`/api/v1/dictionaryItems?filter[dictionary]=${gender}&filter[code]=male`)).body.data[0];
    expect((await reader.patch(`/api/v1/dictionaryItems/${male.id}`, { version: male.version, enabled: false })).status).toBe(403);
    expect((await reader.delete(`/api/v1/dictionaryItems/${male.id}`)).status).toBe(403);
    expect(t.platform.dictionaries.values('gender')).toEqual(['male', 'female', 'unknown']);
  });

  it('refuses bad labels and codes with field errors', async () => {
    const res = await t.api.post('/api/v1/dictionaries', { code: '1bad code', label: { 'zh-CN': '缺英文' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'code', rule: 'pattern' }), expect.objectContaining({ field: 'label.en', rule: 'required' })]));
  });

  it('keeps item codes unique within a dictionary only', async () => {
    const a = (await t.api.post('/api/v1/dictionaries', { code: 'leaveType', label: label('请假类别', 'Leave type', '請假類別') })).body;
    const b = (await t.api.post('/api/v1/dictionaries', { code: 'overtimeType', label: label('加班类别', 'Overtime type') })).body;
    expect((await item(a.id, 'annual')).status).toBe(201);
    const dup = await item(a.id, 'annual');
    expect(dup.status).toBe(409);
    expect(dup.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'code', rule: 'unique' })]));
    expect((await item(b.id, 'annual')).status).toBe(201);
  });

  it('updates the in-memory lookup as soon as a write commits: new, reordered, disabled and deleted items', async () => {
    const d = (await t.api.post('/api/v1/dictionaries', { code: 'priority', label: label('优先级', 'Priority') })).body;
    expect(t.platform.dictionaries.values('priority')).toEqual([]);
    const low = (await item(d.id, 'low', { sortOrder: 30 })).body;
    await item(d.id, 'high', { sortOrder: 10 });
    await item(d.id, 'mid', { sortOrder: 20, color: '#FFAA00' });
    expect(t.platform.dictionaries.values('priority')).toEqual(['high', 'mid', 'low']);
    const moved = await t.api.patch(`/api/v1/dictionaryItems/${low.id}`, { version: low.version, sortOrder: 0 });
    expect(moved.status).toBe(200);
    expect(t.platform.dictionaries.values('priority')).toEqual(['low', 'high', 'mid']);
    const disabled = await t.api.patch(`/api/v1/dictionaryItems/${low.id}`, { version: moved.body.version, enabled: false });
    expect(t.platform.dictionaries.values('priority')).toEqual(['high', 'mid']);
    // A disabled item still labels the records that hold it, and is listed with ?all=true.
    expect(t.platform.dictionaries.label('priority', 'low', 'en')).toBe('low');
    expect((await t.api.get('/api/v1/dictionaries/priority/items?all=true')).body.data.map((i: { code: string }) => i.code)).toEqual(['low', 'high', 'mid']);
    expect((await t.api.get('/api/v1/dictionaries/priority/items')).body.data.map((i: { code: string; color: string | null }) => [i.code, i.color])).toEqual([
      ['high', null],
      ['mid', '#FFAA00'],
    ]);
    expect((await t.api.delete(`/api/v1/dictionaryItems/${low.id}`)).status).toBe(204);
    expect(t.platform.dictionaries.items('priority', { all: true })!.map((i) => i.code)).toEqual(['high', 'mid']);
    expect((await t.api.post(`/api/v1/dictionaryItems/${low.id}/restore`)).status).toBe(200);
    expect(t.platform.dictionaries.items('priority', { all: true })!.map((i) => i.code)).toEqual(['low', 'high', 'mid']);
    expect(disabled.status).toBe(200);
  });

  it('does not change the lookup for a write that rolled back', async () => {
    const d = (await t.api.post('/api/v1/dictionaries', { code: 'channel', label: label('渠道', 'Channel') })).body;
    await item(d.id, 'web');
    const res = await t.api.post('/api/v1/dictionaryItems/bulk', {
      create: [
        { dictionary: d.id, code: 'phone', label: label('电话', 'Phone') },
        { dictionary: d.id, code: 'web', label: label('重复', 'Duplicate') },
      ],
    });
    expect(res.status).toBe(409);
    expect(t.platform.dictionaries.values('channel')).toEqual(['web']);
    expect((await t.api.get(`/api/v1/dictionaryItems?filter[dictionary]=${d.id}&count=true`)).body.meta.total).toBe(1);
  });

  it('reloads on demand what another node wrote', async () => {
    const d = (await t.api.post('/api/v1/dictionaries', { code: 'source', label: label('来源', 'Source') })).body;
    // Another node's write: this node's events never see it.
    await t.platform.db.run(
      "INSERT INTO plinth_dictionary_items (version, created_at, updated_at, dictionary_id, code, label, sort_order, enabled) VALUES (1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', ?, 'fair', ?, 0, 1)",
      [d.id, JSON.stringify(label('展会', 'Trade fair'))],
    );
    expect(t.platform.dictionaries.values('source')).toEqual([]);
    await t.platform.dictionaries.reload();
    expect(t.platform.dictionaries.values('source')).toEqual(['fair']);
    expect(t.platform.dictionaries.label('source', 'fair', 'zh-CN')).toBe('展会');
  });

  it('keeps hierarchical items within one dictionary and without cycles', async () => {
    const region = (await t.api.post('/api/v1/dictionaries', { code: 'region', label: label('地区', 'Region') })).body;
    const east = (await item(region.id, 'east')).body;
    const shanghai = (await item(region.id, 'shanghai', { parent: east.id })).body;
    const pudong = (await item(region.id, 'pudong', { parent: shanghai.id })).body;
    expect((await t.api.get('/api/v1/dictionaries/region/items')).body.data.map((i: { code: string; parent: string | null }) => [i.code, i.parent])).toEqual([
      ['east', null],
      ['shanghai', 'east'],
      ['pudong', 'shanghai'],
    ]);
    const cycle = await t.api.patch(`/api/v1/dictionaryItems/${east.id}`, { version: east.version, parent: pudong.id });
    expect(cycle.status).toBe(400);
    expect(cycle.body.errors).toEqual([expect.objectContaining({ field: 'parent', rule: 'cycle' })]);
    const gender = await dictionaryId('gender');
    const foreign = await item(gender, 'x', { parent: east.id });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors).toEqual([expect.objectContaining({ field: 'parent', rule: 'dictionary' })]);
    const busy = await t.api.delete(`/api/v1/dictionaryItems/${shanghai.id}`);
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('in-use');
  });

  it('refuses to delete or rename a dictionary or item that a parameter uses, naming the use', async () => {
    const currency = await dictionaryId('currency');
    const cny = (await t.api.get(`/api/v1/dictionaryItems?filter[dictionary]=${currency}&filter[code]=CNY`)).body.data[0];
    const del = await t.api.delete(`/api/v1/dictionaryItems/${cny.id}`);
    expect(del.status).toBe(409);
    expect(del.body).toMatchObject({ code: 'in-use', detail: expect.stringContaining('parameter finance.defaultCurrency') });
    const rename = await t.api.patch(`/api/v1/dictionaryItems/${cny.id}`, { version: cny.version, code: 'RMB' });
    expect(rename.status).toBe(409);
    const dict = (await t.api.get(`/api/v1/dictionaries/${currency}`)).body;
    expect((await t.api.delete(`/api/v1/dictionaries/${currency}`)).status).toBe(409);
    expect((await t.api.patch(`/api/v1/dictionaries/${currency}`, { version: dict.version, code: 'money' })).status).toBe(409);
    // An item nothing uses goes; so does its value in memory.
    const gbp = (await t.api.get(`/api/v1/dictionaryItems?filter[dictionary]=${currency}&filter[code]=GBP`)).body.data[0];
    expect((await t.api.delete(`/api/v1/dictionaryItems/${gbp.id}`)).status).toBe(204);
    expect(t.platform.dictionaries.values('currency')).not.toContain('GBP');
    expect(t.platform.dictionaries.values('currency')).toContain('CNY');
  });

  it('lets other modules register what uses a dictionary', async () => {
    const d = (await t.api.post('/api/v1/dictionaries', { code: 'usedElsewhere', label: label('外部使用', 'Used elsewhere') })).body;
    t.platform.basedata.usage.add(async (ref) => (ref.dictionary === 'usedElsewhere' ? ['customer.grade (3 records)'] : []));
    const res = await t.api.delete(`/api/v1/dictionaries/${d.id}`);
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('customer.grade (3 records)');
  });
});
