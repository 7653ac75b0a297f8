import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, type OrgFixture } from '../support/org';

describeEachDatabase('organisation tree', (db) => {
  let t: TestPlatform;
  let org: OrgFixture;
  beforeAll(async () => {
    t = await startTestPlatform(db);
    org = await buildOrg(t, 200, ['shAdmin', 'shSalesMgr', 'gzAdmin']);
  }, 60_000);
  afterAll(async () => t?.stop());

  const dept = async (id: number) => (await t.api.get(`/api/v1/departments/${id}`)).body;

  it('keeps ancestor paths, and moving a unit carries its whole subtree (and its data scope)', async () => {
    const { hq, sh, shSales, shTeam1, gz } = org.departments;
    expect((await dept(shTeam1)).path).toBe(`/${hq}/${sh}/${shSales}/`);
    const before = (await org.users.gzAdmin.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total;
    const sales = await dept(shSales);
    const moved = await t.api.patch(`/api/v1/departments/${shSales}`, { parent: gz, version: sales.version });
    expect(moved.status).toBe(200);
    expect(moved.body.path).toBe(`/${hq}/${gz}/`);
    expect((await dept(shTeam1)).path).toBe(`/${hq}/${gz}/${shSales}/`);
    // The Guangzhou branch administrator now sees the moved units' customers, Shanghai's no longer.
    const inSales = org.customers.filter((c) => [shSales, org.departments.shTeam1, org.departments.shTeam2].includes(c.department)).length;
    expect((await org.users.gzAdmin.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total).toBe(before + inSales);
    const shSees = (await org.users.shAdmin.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total;
    expect(org.customers.filter((c) => [sh, org.departments.shService].includes(c.department)).length).toBe(shSees);
    const back = await t.api.patch(`/api/v1/departments/${shSales}`, { parent: sh, version: moved.body.version });
    expect(back.status).toBe(200);
    expect((await dept(shTeam1)).path).toBe(`/${hq}/${sh}/${shSales}/`);
  });

  it('refuses to move a unit under itself or its own sub-unit', async () => {
    const { shSales, shTeam1 } = org.departments;
    const sales = await dept(shSales);
    for (const parent of [shSales, shTeam1]) {
      const res = await t.api.patch(`/api/v1/departments/${shSales}`, { parent, version: sales.version });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'parent', rule: 'cycle' })]);
    }
  });

  it('refuses to delete a unit that still has sub-units or members, and deletes an empty one', async () => {
    const withChildren = await t.api.delete(`/api/v1/departments/${org.departments.shSales}`);
    expect(withChildren.status).toBe(409);
    expect(withChildren.body.code).toBe('in-use');
    const withMembers = await t.api.delete(`/api/v1/departments/${org.departments.shService}`);
    expect(withMembers.status).toBe(409);
    const empty = await t.api.post('/api/v1/departments', { name: '临时', kind: 'team', parent: org.departments.gz });
    expect((await t.api.delete(`/api/v1/departments/${empty.body.id}`)).status).toBe(204);
  });

  it('refuses a path written by a client', async () => {
    const res = await t.api.post('/api/v1/departments', { name: 'x', kind: 'team', path: '/1/' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'path', rule: 'readonly' })]);
  });

  it('lets a branch administrator manage units of their branch only', async () => {
    const api = org.users.shAdmin.api;
    const inside = await api.post('/api/v1/departments', { name: '上海新组', kind: 'team', parent: org.departments.shSales });
    expect(inside.status).toBe(201);
    const outside = await api.post('/api/v1/departments', { name: '广州新组', kind: 'team', parent: org.departments.gzSales });
    expect(outside.status).toBe(403);
  });
});
