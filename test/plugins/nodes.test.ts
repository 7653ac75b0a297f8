import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { Platform } from '../../core/src/app/platform';
import { createLogger } from '../../core/src/app/logger';
import { loadConfig } from '../../core/src/app/config';
import { ADMIN, Api, ROOT, TEST_SCRIPT_ENGINE, describeEachDatabase, startTestPlatform, testKeyring, type TestPlatform } from '../support/platform';
import { PluginDir } from '../support/plugins';
import { createUser, eventually } from '../auth/helpers';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const describeRedis = REDIS_URL === 'off' ? describe.skip : describe;
const PASSWORD = 'Plugin-Nodes-Pass-1';
const silent = () => createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));

describeRedis('other nodes follow plugin changes without a restart', () => {
  describeEachDatabase('three nodes, one database', (db) => {
    const dir = new PluginDir({ customers: 'plugins/customers', contacts: 'plugins/contacts', perks: 'test/fixtures/lifecycle/perks' });
    const prefix = `plinth-test-${randomBytes(4).toString('hex')}:`;
    let a: TestPlatform;
    /** Shares Redis with a: only a published message can tell it this fast (its poll is ten minutes). */
    let b: Platform;
    /** No Redis: polls the database every 200 ms. */
    let c: Platform;
    const as = async (platform: Platform, username: string, password: string) => {
      const api = new Api(platform.url);
      const res = await api.post('/api/v1/auth/login', { username, password });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
      api.token = res.body.token;
      return api;
    };

    beforeAll(async () => {
      a = await startTestPlatform(db, { env: { PLUGINS_DIR: dir.dir, REDIS_URL, REDIS_PREFIX: prefix, CLUSTER_POLL_MS: '600000' } });
      const start = (env: Record<string, string>) =>
        Platform.start(
          { ...loadConfig({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, PLUGINS_DIR: dir.dir, ...env }, ROOT), port: 0, host: '127.0.0.1', database: a.config.database, demoData: false },
          { pluginSource: true, logger: silent(), keyring: testKeyring(), scripts: TEST_SCRIPT_ENGINE },
        );
      b = await start({ REDIS_URL, REDIS_PREFIX: prefix, CLUSTER_POLL_MS: '600000' });
      c = await start({ CLUSTER_POLL_MS: '200' });
      await createUser(a, 'vera', PASSWORD);
      const role = (await a.api.get('/api/v1/roles?filter[code]=vipManager')).body.data[0];
      const user = (await a.api.get('/api/v1/users?filter[username]=vera')).body.data[0];
      expect((await a.api.post('/api/v1/userRoles', { user: user.id, role: role.id })).status).toBe(201);
    });
    afterAll(async () => {
      await c?.close();
      await b?.close();
      await a?.stop();
      dir.cleanup();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });

    /** Every menu key the caller sees on a node. */
    const menuKeys = async (api: Api): Promise<string[]> => {
      const walk = (nodes: { key: string; children?: unknown[] }[]): string[] => nodes.flatMap((n) => [n.key, ...walk((n.children ?? []) as { key: string }[])]);
      return walk((await api.get('/api/v1/menus')).body.data);
    };

    it('a plugin disabled on one node loses its routes, grants and menus on the others within seconds, and comes back', async () => {
      const nodes = [b, c];
      const admins = await Promise.all(nodes.map((n) => as(n, ADMIN.username, ADMIN.password)));
      const veras = await Promise.all(nodes.map((n) => as(n, 'vera', PASSWORD)));
      for (const api of admins) expect((await api.get('/api/v1/ext/perks/hello')).status).toBe(200);
      for (const api of admins) expect(await menuKeys(api)).toEqual(expect.arrayContaining(['perks.vip', 'perks.export']));
      for (const api of veras) expect((await api.get('/api/v1/customers')).status).toBe(200);

      expect((await a.api.post('/api/v1/plugins/perks/disable')).status).toBe(200);
      for (const [i, api] of admins.entries()) {
        await eventually(async () => (await api.get('/api/v1/ext/perks/hello')).status === 404, 5_000);
        await eventually(async () => (await veras[i].get('/api/v1/customers')).status === 403, 5_000);
        expect((await api.get('/api/v1/plugins/perks')).body).toMatchObject({ status: 'disabled', enabled: false });
        const keys = await menuKeys(api);
        expect(keys.filter((k) => k.startsWith('perks.'))).toEqual([]);
        expect(keys).toContain('customers.list');
      }

      expect((await a.api.post('/api/v1/plugins/perks/enable')).status).toBe(200);
      for (const [i, api] of admins.entries()) {
        await eventually(async () => (await api.get('/api/v1/ext/perks/hello')).status === 200, 5_000);
        await eventually(async () => (await veras[i].get('/api/v1/customers')).status === 200, 5_000);
        expect(await menuKeys(api)).toEqual(expect.arrayContaining(['perks.vip', 'perks.export']));
      }
    });

    it("an administrator's menu change reaches the other nodes", async () => {
      const admins = await Promise.all([b, c].map((n) => as(n, ADMIN.username, ADMIN.password)));
      const labelOn = async (api: Api) => {
        const customers = ((await api.get('/api/v1/menus')).body.data as { key: string; children: { key: string; label: { en: string } }[] }[]).find((n) => n.key === 'customers');
        return customers?.children.find((n) => n.key === 'customers.list')?.label.en;
      };
      for (const api of admins) expect(await labelOn(api)).toBe('Customer files');
      expect((await a.api.put('/api/v1/menus/overlays/customers.list', { label: { en: 'Clients' } })).status).toBe(200);
      for (const api of admins) await eventually(async () => (await labelOn(api)) === 'Clients', 5_000);
    });

    it('entities of a plugin disabled elsewhere leave the API here, and return', async () => {
      const api = await as(b, ADMIN.username, ADMIN.password);
      for (const name of ['contacts', 'perks']) expect((await a.api.post(`/api/v1/plugins/${name}/disable`)).status).toBe(200);
      await eventually(async () => (await api.get('/api/v1/contacts')).status === 404, 5_000);
      expect((await api.get('/api/v1/customers')).status).toBe(200);
      // b itself enables what contacts needs; a follows
      expect((await api.post('/api/v1/plugins/contacts/enable')).status).toBe(200);
      await eventually(async () => (await a.api.get('/api/v1/contacts')).status === 200, 5_000);
      expect((await a.api.post('/api/v1/plugins/perks/enable')).status).toBe(200);
    });
  });
});
