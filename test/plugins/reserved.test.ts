import path from 'node:path';
import type Router from '@koa/router';
import { PluginError, discoverPlugins, loadPlugin } from '../../core/src/plugins/discovery';
import { MetaRegistry, MetadataError } from '../../core/src/meta/registry';
import { KERNEL_ROUTES } from '../../core/src/meta/reserved';
import { ROOT, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { PluginDir } from '../support/plugins';

const label = { 'zh-CN': '名', en: 'Name' };

describe('entity plurals the platform serves itself', () => {
  it('refuses a plugin whose entity would take a route of the platform, at load, naming entity and route', () => {
    const [pkg] = discoverPlugins(path.join(ROOT, 'test/fixtures/reserved'), { source: true });
    expect(pkg.problems).toEqual([]);
    let error: unknown = null;
    try {
      loadPlugin(pkg);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PluginError);
    expect((error as PluginError).problems.map((p) => [p.field, p.rule])).toEqual([['entities.file.plural', 'reserved'], ['entities.memo.plural', 'reserved']]);
    expect((error as PluginError).message).toMatch(/^Plugin "clash" is refused: Entity "file" would be served at \/api\/v1\/files, which is a route of the platform itself/);
    expect((error as PluginError).problems[1].message).toContain('/api/v1/Meta');
  });

  it('is refused by the metadata registry too, whoever registers the entity', () => {
    const meta = new MetaRegistry();
    expect(() => meta.add('someone', { name: 'flow', label, fields: {} })).toThrow(MetadataError);
    expect(() => meta.add('someone', { name: 'flow', label, fields: {} })).toThrow(/\/api\/v1\/flows, which is a route of the platform/);
    expect(() => meta.add('someone', { name: 'flow', plural: 'flowItems', label, fields: {} })).not.toThrow();
  });
});

describeEachDatabase('a plugin clashing with the platform routes', (db) => {
  const dir = new PluginDir({ customers: 'plugins/customers', clash: 'test/fixtures/reserved/clash' });
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db, { env: { PLUGINS_DIR: dir.dir } });
  });
  afterAll(async () => {
    await t?.stop();
    dir.cleanup();
  });

  it('is not served, says why, and leaves the platform route alone', async () => {
    const clash = (await t.api.get('/api/v1/plugins/clash')).body;
    expect(clash.enabled === true && clash.status === 'enabled').toBe(false);
    expect(clash.problems.map((p: { rule: string }) => p.rule)).toEqual(['reserved', 'reserved']);
    expect(t.platform.plugins.map((p) => p.name)).not.toContain('clash');
    const enable = await t.api.post('/api/v1/plugins/clash/install');
    expect([enable.status, enable.body.code]).toEqual([400, 'validation']);
    expect(JSON.stringify(enable.body)).toContain('/api/v1/files, which is a route of the platform itself');
    // the file store still answers there
    expect((await t.api.get('/api/v1/files/999999')).body.code).toBe('not-found');
    expect((await t.api.get('/api/v1/customers')).status).toBe(200);
  });

  it('keeps its list of routes in step with the routes the platform registers', () => {
    const routers = (t.platform.app.middleware as { router?: Router }[]).map((m) => m.router).filter((r): r is Router => !!r && r.opts.prefix === '/api/v1');
    const paths = routers.flatMap((r) => r.stack.filter((layer) => layer.methods.length > 0).map((layer) => layer.path)).filter((p): p is string => typeof p === 'string');
    const firsts = new Set(paths.map((p) => p.slice('/api/v1/'.length).split('/')[0]));
    const served = [...firsts].filter((s) => s !== '' && !s.startsWith(':'));
    // entity routes of the built-in system plugin are entities, not platform routes
    const entities = new Set(t.platform.meta.all().map((e) => e.plural));
    expect(served.filter((s) => !entities.has(s) && !KERNEL_ROUTES.has(s))).toEqual([]);
    expect(served.length).toBeGreaterThan(5);
  });
});
