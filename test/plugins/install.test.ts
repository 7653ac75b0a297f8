import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { PluginDir } from '../support/plugins';

const tableExists = async (t: TestPlatform, table: string) =>
  (t.platform.db.dialect.kind === 'sqlite'
    ? await t.platform.db.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
    : await t.platform.db.all('SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [table])
  ).length === 1;

describeEachDatabase('installing plugins with entities while the platform runs', (db) => {
  const dir = new PluginDir({ customers: 'plugins/customers', notes: 'test/fixtures/install/notes', tags: 'test/fixtures/install/tags' });
  let t: TestPlatform;
  beforeAll(async () => {
    // New plugins wait for an administrator.
    t = await startTestPlatform(db, { env: { PLUGINS_DIR: dir.dir, PLUGINS_AUTO_INSTALL: 'false' } });
  });
  afterAll(async () => {
    await t?.stop();
    dir.cleanup();
  });

  it('starts with nothing but the system installed', async () => {
    const list = (await t.api.get('/api/v1/plugins')).body.data as { name: string; status: string }[];
    expect(list.map((p) => [p.name, p.status])).toEqual([
      ['system', 'enabled'],
      ['customers', 'available'],
      ['notes', 'available'],
      ['tags', 'available'],
    ]);
    expect((await t.api.get('/api/v1/customers')).status).toBe(404);
    expect(await tableExists(t, 'customers')).toBe(false);
  });

  it('installs a plugin and what it needs: tables, seed, entities in the API and OpenAPI, at once', async () => {
    const res = await t.api.post('/api/v1/plugins/notes/install');
    expect(res.status).toBe(200);
    expect(res.body.plan).toEqual({ install: ['customers', 'notes'], enable: [], upgrade: [] });
    expect(res.body.plugin).toMatchObject({ status: 'enabled', installedVersion: '1.0.0' });
    expect((await t.api.get('/api/v1/notes')).body.data.map((n: { text: string }) => n.text)).toEqual(['欢迎使用便签']);
    const customer = await t.api.post('/api/v1/customers', { customerNo: 'C00000042', name: '甲', kind: 'person', status: 'active' });
    expect(customer.status).toBe(201);
    expect((await t.api.post('/api/v1/notes', { text: '回访', customer: customer.body.id })).status).toBe(201);
    const openapi = (await t.api.get('/api/v1/openapi.json')).body;
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/v1/notes', '/api/v1/customers']));

    expect((await t.api.post('/api/v1/plugins/notes/disable')).status).toBe(200);
    expect((await t.api.get('/api/v1/notes')).status).toBe(404);
    expect(Object.keys((await t.api.get('/api/v1/openapi.json')).body.paths)).not.toContain('/api/v1/notes');
    expect((await t.api.post('/api/v1/plugins/notes/enable')).status).toBe(200);
    expect((await t.api.get('/api/v1/notes?count=true')).body.meta.total).toBe(2);
  });

  it('a failed install leaves no data behind, and no table where the database can roll DDL back', async () => {
    const res = await t.api.post('/api/v1/plugins/tags/install');
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/^Installing "tags" failed and was rolled back: .*the tags seed fails on purpose/);
    expect((await t.api.get('/api/v1/plugins/tags')).body).toMatchObject({ status: 'available', installed: false });
    expect((await t.api.get('/api/v1/tags')).status).toBe(404);
    if (db.name === 'sqlite') expect(await tableExists(t, 'tags')).toBe(false);
    else expect(await t.platform.db.all('SELECT id FROM tags')).toEqual([]);
    // The rest is untouched.
    expect((await t.api.get('/api/v1/notes')).status).toBe(200);
  });
});
