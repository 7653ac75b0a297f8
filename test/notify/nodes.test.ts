import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { Platform } from '../../core/src/app/platform';
import { createLogger } from '../../core/src/app/logger';
import { loadConfig } from '../../core/src/app/config';
import { ADMIN, Api, ROOT, TEST_SCRIPT_ENGINE, describeEachDatabase, startTestPlatform, testKeyring, type TestPlatform } from '../support/platform';
import { EventStream, PASSWORD, people, type Person } from './helpers';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const describeRedis = REDIS_URL === 'off' ? describe.skip : describe;
const silent = () => createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));

describeRedis('notifications reach a stream open on another node', () => {
  describeEachDatabase('three nodes, one database', (db) => {
    const prefix = `plinth-test-${randomBytes(4).toString('hex')}:`;
    let a: TestPlatform;
    /** Shares Redis with a; its database poll is ten minutes, so only a published signal reaches it in time. */
    let b: Platform;
    /** No Redis: polls the database every 200 ms. */
    let c: Platform;
    let u: Record<string, Person>;
    const on = async (node: Platform, name: string) => {
      const api = new Api(node.url);
      await api.login(name, PASSWORD);
      return api;
    };

    beforeAll(async () => {
      a = await startTestPlatform(db, { env: { REDIS_URL, REDIS_PREFIX: prefix, CLUSTER_POLL_MS: '600000' } });
      const start = (env: Record<string, string>) =>
        Platform.start(
          { ...loadConfig({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, ...env }, ROOT), port: 0, host: '127.0.0.1', database: a.config.database, demoData: false },
          { pluginSource: true, logger: silent(), keyring: testKeyring(), scripts: TEST_SCRIPT_ENGINE },
        );
      b = await start({ REDIS_URL, REDIS_PREFIX: prefix, CLUSTER_POLL_MS: '600000' });
      c = await start({ CLUSTER_POLL_MS: '200' });
      ({ users: u } = await people(a, ['nina', 'omar']));
    }, 90_000);
    afterAll(async () => {
      await c?.close();
      await b?.close();
      await a?.stop();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });

    it("a flow task created on one node shows up in the handler's stream on the others, and so does reading it", async () => {
      const [onB, onC] = [await on(b, 'nina'), await on(c, 'nina')];
      const [sb, sc] = [await EventStream.open(b.url, onB.token!), await EventStream.open(c.url, onC.token!)];
      await sb.next((e) => e.unread === 0);
      await sc.next((e) => e.unread === 0);
      expect(
        (
          await a.api.post('/api/v1/flows/definitions', {
            code: 'twoNodes', label: { 'zh-CN': '两节点', en: 'Two nodes' }, model: 'fixed',
            nodes: [{ key: 'start', kind: 'start', name: '申请' }, { key: 'ok', kind: 'approval', name: '审批', handlers: [{ type: 'users', ids: [u.nina.id] }] }, { key: 'end', kind: 'end', name: '结束' }],
            edges: [{ from: 'start', to: 'ok' }, { from: 'ok', to: 'end' }],
          })
        ).status,
      ).toBe(201);
      const inst = (await u.omar.api.post('/api/v1/flows/instances', { flow: 'twoNodes', title: 'Omar asks' })).body;
      for (const s of [sb, sc]) expect(await s.next((e) => e.unread === 1)).toMatchObject({ newest: { kind: 'flow.task', title: 'Omar asks', link: `/flows/instances/${inst.id}` } });
      // read on node a: both streams drop to zero
      await u.nina.api.post('/api/v1/me/notifications/read-all');
      for (const s of [sb, sc]) await s.next((e) => e.unread === 0 && s.events.some((x) => x.unread === 1) && s.events.indexOf(e) > s.events.findIndex((x) => x.unread === 1));
      await Promise.all([sb.close(), sc.close()]);
    });
  });
});
