import { reorderedPositions } from '../../core/src/custom/order';
import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

const label = (en: string, zh = en) => ({ 'zh-CN': zh, en });

describe('field order: new positions', () => {
  const apply = (wanted: string[], current: Record<string, number>) => {
    const changed = reorderedPositions(wanted, new Map(Object.entries(current)));
    const after = { ...current, ...Object.fromEntries(changed) };
    return { changed, after, order: Object.keys(after).sort((a, b) => after[a] - after[b]) };
  };

  it('moves one field by writing only that field when there is room', () => {
    const { changed, order } = apply(['a', 'c', 'b', 'd'], { a: 10, b: 20, c: 30, d: 40 });
    expect(order).toEqual(['a', 'c', 'b', 'd']);
    expect(changed.size).toBe(1);
  });

  it('moves a field to the front and to the end', () => {
    expect(apply(['d', 'a', 'b', 'c'], { a: 10, b: 20, c: 30, d: 40 })).toMatchObject({ order: ['d', 'a', 'b', 'c'], changed: new Map([['d', 4]]) });
    expect(apply(['b', 'c', 'd', 'a'], { a: 10, b: 20, c: 30, d: 40 })).toMatchObject({ order: ['b', 'c', 'd', 'a'], changed: new Map([['a', 50]]) });
  });

  it('renumbers everything when neighbours leave no room, and writes nothing when nothing moves', () => {
    const { changed, order } = apply(['a', 'c', 'b'], { a: 10, b: 11, c: 12 });
    expect(order).toEqual(['a', 'c', 'b']);
    expect(changed).toEqual(new Map([['c', 20], ['b', 30]]));
    expect(apply(['a', 'b'], { a: 10, b: 20 }).changed.size).toBe(0);
  });

  it('orders ties and reversed lists', () => {
    expect(apply(['c', 'b', 'a'], { a: 10, b: 10, c: 10 }).order).toEqual(['c', 'b', 'a']);
    const reversed = apply(['e', 'd', 'c', 'b', 'a'], { a: 10, b: 20, c: 30, d: 40, e: 50 });
    expect(reversed.order).toEqual(['e', 'd', 'c', 'b', 'a']);
  });
});

describeEachDatabase('field order and overlays through the API', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: ['org', 'customers', 'contacts'] });
  });
  afterAll(async () => t?.stop());

  const declared = async () => ((await t.api.get('/api/v1/meta/entities/contact')).body.fields as { name: string; system: boolean }[]).filter((f) => !f.system).map((f) => f.name);

  it('puts a custom field first in one change; only moved fields are written; overlays are listed with versions', async () => {
    expect((await t.api.post('/api/v1/meta/entities/contact/custom-fields', { name: 'wechat', type: 'text', label: label('WeChat', '微信') })).status).toBe(201);
    const before = await declared();
    expect(before[before.length - 1]).toBe('wechat');
    const wanted = ['wechat', ...before.filter((n) => n !== 'wechat')];
    const res = await t.api.put('/api/v1/meta/entities/contact/field-order', { fields: wanted });
    expect([res.status, res.body]).toEqual([200, { fields: wanted }]);
    expect(await declared()).toEqual(wanted);
    // The custom field got a position; no plugin field needed an overlay.
    expect((await t.api.get('/api/v1/meta/entities/contact/custom-fields/wechat')).body.position).toBeLessThan(10);
    expect((await t.api.get('/api/v1/meta/entities/contact/overlays')).body.data).toEqual([]);
    // Moving a plugin field to the end writes its overlay order, which keeps its other settings.
    const relabel = await t.api.put('/api/v1/meta/entities/contact/fields/title/overlay', { label: label('Job', '职位') });
    expect(relabel.status).toBe(200);
    const last = [...wanted.filter((n) => n !== 'title'), 'title'];
    expect((await t.api.put('/api/v1/meta/entities/contact/field-order', { fields: last })).status).toBe(200);
    expect(await declared()).toEqual(last);
    const overlays = (await t.api.get('/api/v1/meta/entities/contact/overlays')).body.data;
    expect(overlays).toEqual([{ entity: 'contact', field: 'title', overlay: { label: label('Job', '职位'), order: expect.any(Number) }, version: 2 }]);
    // The change is in the operation log.
    const log = (await t.api.get('/api/v1/audit?action=field-order.set&entity=contact')).body.data;
    expect(log.length).toBe(2);
  });

  it('refuses a list with unknown, repeated or missing fields (400 naming them) and non-administrators (403)', async () => {
    const current = await declared();
    const bad = await t.api.put('/api/v1/meta/entities/contact/field-order', { fields: ['nope', current[0], current[0], 'createdAt'] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'fields[0]', rule: 'unknown' }),
      expect.objectContaining({ field: 'fields[2]', rule: 'unique' }),
      expect.objectContaining({ field: 'fields[3]', rule: 'unknown' }),
      expect.objectContaining({ field: 'fields', rule: 'required' }),
    ]));
    expect((await t.api.put('/api/v1/meta/entities/contact/field-order', { fields: 'name' })).body.errors[0]).toMatchObject({ field: 'fields', rule: 'type' });
    expect((await t.api.put('/api/v1/meta/entities/nope/field-order', { fields: [] })).status).toBe(404);
    expect(await declared()).toEqual(current);
    const user = (await t.api.post('/api/v1/users', { username: 'plain1', displayName: 'Plain' })).body;
    await t.platform.sessions.setPassword(user.id, 'Plain-Pass-123');
    const { Api } = await import('../support/platform');
    const plain = new Api(t.platform.url);
    await plain.login('plain1', 'Plain-Pass-123');
    expect((await plain.put('/api/v1/meta/entities/contact/field-order', { fields: current })).status).toBe(403);
    expect((await plain.get('/api/v1/meta/entities/contact/overlays')).status).toBe(403);
  });
});
