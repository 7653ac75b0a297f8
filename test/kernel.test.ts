import { TEST_DATABASES } from './support/databases';
import { describeEachDatabase, startTestPlatform, type TestPlatform } from './support/platform';

describe('kernel start-up with broken plugins', () => {
  const sqlite = TEST_DATABASES[0];
  const pluginsOf = async (t: TestPlatform) => (await t.api.get('/api/v1/plugins')).body.data as { name: string; status: string; problems: unknown[] }[];

  it('starts without the plugins of a dependency cycle and names the cycle', async () => {
    const t = await startTestPlatform(sqlite, { env: { PLUGINS_DIR: 'test/fixtures/cycle' } });
    try {
      expect(t.platform.plugins.map((p) => p.name)).toEqual(['system']);
      const alpha = (await pluginsOf(t)).find((p) => p.name === 'alpha');
      expect(alpha).toMatchObject({ status: 'broken', installed: false });
      expect(alpha?.problems).toContainEqual({ field: 'dependencies', rule: 'cycle', message: 'Plugin dependency cycle: alpha → beta → alpha' });
    } finally {
      await t.stop();
    }
  });
  it('starts without a plugin whose dependency is missing and names it', async () => {
    const t = await startTestPlatform(sqlite, { env: { PLUGINS_DIR: 'test/fixtures/missing' } });
    try {
      expect(t.platform.plugins.map((p) => p.name)).toEqual(['system']);
      expect((await pluginsOf(t)).find((p) => p.name === 'lonely')?.problems).toEqual([
        { field: 'dependencies.ghost', rule: 'missing', message: 'Plugin "lonely" depends on "ghost" (^1.0.0), which is not present' },
      ]);
    } finally {
      await t.stop();
    }
  });
  it('names a missing plugins folder', async () => {
    await expect(startTestPlatform(sqlite, { env: { PLUGINS_DIR: 'test/fixtures/none' } })).rejects.toThrow(/Plugins folder .*test\/fixtures\/none does not exist/);
  });
});

describeEachDatabase('kernel', (db) => {
  it('builds the schema, seeds demo data once, and keeps it across restarts', async () => {
    let t = await startTestPlatform(db, { demo: true });
    try {
      const customers = (await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total;
      const contacts = (await t.api.get('/api/v1/contacts?count=true&limit=1')).body.meta.total;
      expect(customers).toBeGreaterThanOrEqual(200);
      expect(contacts).toBeGreaterThanOrEqual(customers);
      const sample = (await t.api.get('/api/v1/customers?limit=1&sort=id')).body.data[0];
      expect(sample.name).toMatch(/[\u4e00-\u9fa5]/);
      expect(await t.platform.db.pendingSchemaChanges()).toBe('');
      t = await t.restart();
      await t.api.login();
      expect((await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total).toBe(customers);
      expect((await t.api.get('/api/v1/contacts?count=true&limit=1')).body.meta.total).toBe(contacts);
      const state = await t.platform.db.all<{ name: string; version: string; seeded_at: string | null }>('SELECT name, version, seeded_at FROM plinth_plugins ORDER BY name');
      expect(state.map((s) => [s.name, s.version, s.seeded_at !== null])).toEqual([
        ['contacts', '1.0.0', true],
        ['customers', '1.0.0', true],
        ['org', '1.0.0', true],
        ['system', expect.any(String), true],
      ]);
    } finally {
      await t.stop();
    }
  });

  it('loads plugins in dependency order and mounts their routes', async () => {
    const t = await startTestPlatform(db);
    try {
      expect(t.platform.plugins.map((p) => p.name)).toEqual(['system', 'customers', 'contacts', 'org']);
      await t.api.post('/api/v1/customers', { customerNo: 'C00000001', name: '甲', kind: 'person', status: 'active', level: 'vip' });
      const stats = await t.api.get('/api/v1/ext/customers/stats');
      expect(stats.status).toBe(200);
      expect(JSON.stringify(stats.body)).toContain('vip');
    } finally {
      await t.stop();
    }
  });

  it('answers health and readiness', async () => {
    const t = await startTestPlatform(db);
    try {
      const health = await t.api.get('/healthz');
      expect(health.body).toEqual({ status: 'ok', version: expect.any(String) });
      const ready = await t.api.get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ready', database: { kind: db.name === 'sqlite' ? 'sqlite' : 'mysql' } });
    } finally {
      await t.stop();
    }
  });
});
