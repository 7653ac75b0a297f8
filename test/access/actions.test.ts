import { Api, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';

describeEachDatabase('custom actions', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db, { env: { PLUGINS_DIR: 'test/fixtures/actions' } });
  });
  afterAll(async () => t?.stop());

  it('grants a declared custom action by scope, checked by plugin code with ctx.can', async () => {
    const roles = Object.fromEntries((await t.api.get('/api/v1/roles?limit=50')).body.data.map((r: { code: string; id: number }) => [r.code, r.id]));
    const apis: Record<string, Api> = {};
    const ids: Record<string, number> = {};
    for (const name of ['anna', 'bo', 'cy']) {
      const u = await t.api.post('/api/v1/users', { username: name, displayName: name });
      ids[name] = u.body.id;
      await t.platform.sessions.setPassword(u.body.id, 'Action-Test-1');
      if (name !== 'cy') await t.api.post('/api/v1/userRoles', { user: u.body.id, role: roles.serviceRep });
      apis[name] = new Api(t.platform.url);
      await apis[name].login(name, 'Action-Test-1');
    }
    const annas = await t.api.post('/api/v1/tickets', { subject: 'a', owner: ids.anna });
    const bos = await t.api.post('/api/v1/tickets', { subject: 'b', owner: ids.bo });
    expect((await apis.anna.post(`/api/v1/ext/tickets/${annas.body.id}/escalate`)).body).toEqual({ escalated: annas.body.id });
    expect((await apis.anna.post(`/api/v1/ext/tickets/${bos.body.id}/escalate`)).status).toBe(403);
    expect((await apis.cy.post(`/api/v1/ext/tickets/${annas.body.id}/escalate`)).status).toBe(403);
    // escalate does not imply update
    expect((await apis.anna.patch(`/api/v1/tickets/${annas.body.id}`, { subject: 'x', version: 1 })).status).toBe(403);
  });

  it('serves many concurrent writes of a user whose rights are not loaded yet (more than the pool holds)', async () => {
    const u = await t.api.post('/api/v1/users', { username: 'burst', displayName: 'burst' });
    await t.platform.sessions.setPassword(u.body.id, 'Action-Test-1');
    const api = new Api(t.platform.url);
    await api.login('burst', 'Action-Test-1');
    // Admin-created tickets are owned by the admin; this user may create none: 403 each, never a hang.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => api.post('/api/v1/tickets', { subject: `s${i}` })));
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([403]));
    const admin = await Promise.all(Array.from({ length: 40 }, (_, i) => t.api.post('/api/v1/tickets/bulk', { create: [{ subject: `b${i}` }] })));
    expect(new Set(admin.map((r) => r.status))).toEqual(new Set([200]));
  });
});
