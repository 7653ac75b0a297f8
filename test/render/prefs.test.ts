import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, type OrgFixture } from '../support/org';

describeEachDatabase('preferences and saved views', (db) => {
  let t: TestPlatform;
  let org: OrgFixture;
  const as = (name: string) => org.users[name].api;

  beforeAll(async () => {
    t = await startTestPlatform(db);
    org = await buildOrg(t, 20, ['rep1', 'rep2', 'svc1', 'nobody']);
  }, 120_000);
  afterAll(async () => t?.stop());

  it('preferences are per user JSON values under checked keys', async () => {
    expect((await as('rep1').put('/api/v1/me/preferences/list.customer.columns', { value: ['name', 'city'] })).status).toBe(200);
    expect((await as('rep1').put('/api/v1/me/preferences/list.customer.columns', { value: ['name'] })).status).toBe(200);
    expect((await as('rep1').get('/api/v1/me/preferences')).body).toEqual({ 'list.customer.columns': ['name'] });
    expect((await as('rep2').get('/api/v1/me/preferences')).body).toEqual({});
    const bad = await as('rep1').put('/api/v1/me/preferences/Bad%20Key', { value: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'key', rule: 'pattern' });
    const big = await as('rep1').put('/api/v1/me/preferences/desktop.links', { value: 'x'.repeat(20_000) });
    expect(big.body.errors[0]).toMatchObject({ field: 'value', rule: 'maxLength' });
    expect((await as('rep1').put('/api/v1/me/preferences/desktop.links', {})).body.errors[0]).toMatchObject({ field: 'value', rule: 'required' });
    expect((await as('rep1').delete('/api/v1/me/preferences/list.customer.columns')).status).toBe(204);
    expect((await as('rep1').delete('/api/v1/me/preferences/list.customer.columns')).status).toBe(404);
  });

  it('saved views: personal ones stay personal, shared ones are seen by readers of the entity, only the owner changes them', async () => {
    const personal = await as('rep1').post('/api/v1/views', { entity: 'customer', name: '我的上海客户', query: { filter: { city: '上海' }, sort: ['-updatedAt'], columns: ['name', 'city'] } });
    expect(personal.status).toBe(201);
    expect(personal.body).toMatchObject({ entity: 'customer', shared: false, mine: true, version: 1 });
    const shared = await as('rep1').post('/api/v1/views', { entity: 'customer', name: 'VIP', shared: true, query: { filter: { level: 'vip' } } });
    expect(shared.status).toBe(201);
    expect((await as('rep2').get('/api/v1/views?entity=customer')).body.data.map((v: { name: string; mine: boolean }) => [v.name, v.mine])).toEqual([['VIP', false]]);
    expect((await as('rep2').get(`/api/v1/views/${personal.body.id}`)).status).toBe(404);
    expect((await as('rep2').patch(`/api/v1/views/${shared.body.id}`, { name: 'mine now', version: 1 })).status).toBe(403);
    expect((await as('rep2').delete(`/api/v1/views/${shared.body.id}`)).status).toBe(403);
    // Someone who may not read customers sees no views of them.
    expect((await as('nobody').get('/api/v1/views?entity=customer')).status).toBe(403);
    // Optimistic locking.
    expect((await as('rep1').patch(`/api/v1/views/${shared.body.id}`, { name: 'VIP 客户', version: 1 })).status).toBe(200);
    const stale = await as('rep1').patch(`/api/v1/views/${shared.body.id}`, { name: 'again', version: 1 });
    expect(stale.status).toBe(409);
    // A query that does not fit the entity is refused when saved, naming the problem.
    const bad = await as('rep1').post('/api/v1/views', { entity: 'customer', name: 'bad', query: { filter: { nosuch: 1 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toMatch(/^query\./);
    const badColumns = await as('rep1').post('/api/v1/views', { entity: 'customer', name: 'bad', query: { columns: ['nosuch'] } });
    expect(badColumns.body.errors[0]).toMatchObject({ field: 'query.columns', rule: 'unknown' });
    expect((await as('rep1').post('/api/v1/views', { entity: 'nosuch', name: 'x', query: {} })).body.errors[0]).toMatchObject({ field: 'entity', rule: 'unknown' });
    expect((await as('rep1').post('/api/v1/views', { entity: 'customer', query: {} })).body.errors[0]).toMatchObject({ field: 'name', rule: 'required' });
    // A shared view never widens what someone sees: rep2 runs rep1's VIP view and gets only rep2's VIPs.
    const rows = (await as('rep2').get('/api/v1/customers?filter[level]=vip&limit=100')).body.data as { owner: number }[];
    expect(rows.every((r) => r.owner === org.users.rep2.id)).toBe(true);
  });
});
