import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { Platform } from '../../core/src/app/platform';
import { createLogger } from '../../core/src/app/logger';
import { ADMIN, Api, describeEachDatabase, startTestPlatform, testKeyring, type TestPlatform } from '../support/platform';
import { createUser, eventually } from './helpers';

/** Redis for this suite: TEST_REDIS_URL, default the local one; TEST_REDIS_URL=off skips it. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const describeRedis = REDIS_URL === 'off' ? describe.skip : describe;
const PASSWORD = 'Redis-Test-Pass-1';

describeRedis('sessions in Redis, shared by two nodes', () => {
  describeEachDatabase('two platforms, one database, one Redis', (db) => {
    const prefix = `plinth-test-${randomBytes(4).toString('hex')}:`;
    // A long cache: only the published revocation can make the other node let go this fast.
    const env = { REDIS_URL, REDIS_PREFIX: prefix, AUTH_CACHE_SECONDS: '60' };
    let a: TestPlatform;
    let b: Platform;
    let redis: Redis;
    const on = (platform: Platform | TestPlatform['platform'], token: string) => {
      const api = new Api(platform.url);
      api.token = token;
      return api;
    };

    beforeAll(async () => {
      a = await startTestPlatform(db, { plugins: ['customers', 'contacts'], env });
      const silent = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
      b = await Platform.start({ ...a.config, port: 0 }, { pluginSource: true, logger: silent, plugins: ['customers', 'contacts'], keyring: testKeyring() });
      redis = new Redis(REDIS_URL);
      await createUser(a, 'kate', PASSWORD);
    });
    afterAll(async () => {
      await b?.close();
      await a?.stop();
      if (redis) {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length) await redis.del(...keys);
        redis.disconnect();
      }
    });

    it('keeps sessions in Redis, not in the database, and every node accepts them', async () => {
      expect(a.platform.sessions.storeKind).toBe('redis');
      expect(b.sessions.storeKind).toBe('redis');
      const login = await new Api(b.url).post('/api/v1/auth/login', { username: 'kate', password: PASSWORD });
      expect(login.status).toBe(200);
      expect((await on(a.platform, login.body.token).get('/api/v1/auth/me')).body).toMatchObject({ username: 'kate' });
      expect(await a.platform.db.all('SELECT * FROM plinth_sessions')).toEqual([]);
      expect((await redis.keys(`${prefix}sess:*`)).length).toBeGreaterThanOrEqual(2);
    });

    it('a logout on one node is seen by the other within seconds', async () => {
      const login = await new Api(a.platform.url).post('/api/v1/auth/login', { username: 'kate', password: PASSWORD });
      const atA = on(a.platform, login.body.token);
      const atB = on(b, login.body.token);
      expect((await atB.get('/api/v1/auth/me')).status).toBe(200); // B now trusts it for 60 s
      expect((await atA.post('/api/v1/auth/logout')).status).toBe(204);
      await eventually(async () => (await atB.get('/api/v1/auth/me')).status === 401, 3_000);
    });

    it('a revoked API token is refused by the other node within seconds', async () => {
      const created = await a.api.post('/api/v1/auth/tokens', { name: 'shared', scopes: ['read'] });
      expect(created.status).toBe(201);
      const atB = on(b, created.body.token);
      expect((await atB.get('/api/v1/customers')).status).toBe(200);
      expect((await a.api.delete(`/api/v1/auth/tokens/${created.body.id}`)).status).toBe(204);
      await eventually(async () => (await atB.get('/api/v1/customers')).status === 401, 3_000);
    });

    it('logging out everywhere and a password reset reach every node', async () => {
      const tokens: string[] = [];
      for (const platform of [a.platform, b, b]) tokens.push((await new Api(platform.url).post('/api/v1/auth/login', { username: 'kate', password: PASSWORD })).body.token);
      for (const token of tokens) expect((await on(b, token).get('/api/v1/auth/me')).status).toBe(200);
      expect((await on(a.platform, tokens[0]).post('/api/v1/auth/logout-all')).body.sessions).toBeGreaterThanOrEqual(3);
      await eventually(async () => {
        const statuses = await Promise.all(tokens.map(async (token) => (await on(b, token).get('/api/v1/auth/me')).status));
        return statuses.every((s) => s === 401);
      }, 3_000);

      const again = (await new Api(b.url).post('/api/v1/auth/login', { username: 'kate', password: PASSWORD })).body.token;
      expect((await on(b, again).get('/api/v1/auth/me')).status).toBe(200);
      const kate = (await a.api.get('/api/v1/users?filter[username]=kate')).body.data[0].id;
      expect((await a.api.post(`/api/v1/users/${kate}/password`, { password: 'Redis-Reset-Pass-2' })).status).toBe(200);
      await eventually(async () => (await on(b, again).get('/api/v1/auth/me')).status === 401, 3_000);
    });

    it('the administrator of node A is known to node B', async () => {
      expect((await on(b, a.api.token!).get('/api/v1/auth/me')).body).toMatchObject({ username: ADMIN.username, isAdmin: true });
    });
  });
});

describeEachDatabase('sessions in the database, shared by two nodes', (db) => {
  let a: TestPlatform;
  let b: Platform;
  beforeAll(async () => {
    a = await startTestPlatform(db, { plugins: ['customers', 'contacts'], env: { AUTH_CACHE_SECONDS: '1' } });
    const silent = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
    b = await Platform.start({ ...a.config, port: 0 }, { pluginSource: true, logger: silent, plugins: ['customers', 'contacts'], keyring: testKeyring() });
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it('a session from one node works on the other, and its end is seen there within AUTH_CACHE_SECONDS', async () => {
    expect(b.sessions.storeKind).toBe('database');
    const login = await new Api(a.platform.url).post('/api/v1/auth/login', { username: ADMIN.username, password: ADMIN.password });
    const atB = new Api(b.url);
    atB.token = login.body.token;
    expect((await atB.get('/api/v1/auth/me')).status).toBe(200);
    const atA = new Api(a.platform.url);
    atA.token = login.body.token;
    expect((await atA.post('/api/v1/auth/logout')).status).toBe(204);
    await eventually(async () => (await atB.get('/api/v1/auth/me')).status === 401, 3_000);
  });
});
