import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Platform } from '../../core/src/app/platform';
import { createLogger } from '../../core/src/app/logger';
import { Api, describeEachDatabase, startTestPlatform, testKeyring, type TestPlatform } from '../support/platform';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const label = (s: string) => ({ 'zh-CN': s, en: s });

async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const mode of REDIS_URL === 'off' ? ['poll'] : ['redis', 'poll']) {
  describeEachDatabase(`custom fields on two nodes (${mode})`, (db) => {
    // Redis delivers at once; without it the other node polls every 200 ms here.
    const env: Record<string, string> = mode === 'redis' ? { REDIS_URL, REDIS_PREFIX: `plinth-test-${randomBytes(4).toString('hex')}:` } : { CLUSTER_POLL_MS: '200' };
    let a: TestPlatform;
    let b: Platform;
    let atB: Api;
    beforeAll(async () => {
      a = await startTestPlatform(db, { plugins: ['customers', 'contacts'], env });
      const silent = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
      b = await Platform.start({ ...a.config, port: 0 }, { pluginSource: true, logger: silent, plugins: ['customers', 'contacts'], keyring: testKeyring() });
      atB = new Api(b.url);
      atB.token = a.api.token;
    });
    afterAll(async () => {
      await b?.close();
      await a?.stop();
    });

    it('a field added on one node is usable on the other without a restart, and its removal too', async () => {
      const added = await a.api.post('/api/v1/meta/entities/customer/custom-fields', { name: 'nodeField', type: 'integer', label: label('n') });
      expect(added.status).toBe(201);
      await eventually(async () => (await atB.get('/api/v1/meta/entities/customer')).body.fields.some((f: { name: string }) => f.name === 'nodeField'));
      const created = await atB.post('/api/v1/customers', { customerNo: 'C00000001', name: 'x', kind: 'person', status: 'active', nodeField: 5 });
      expect(created.status).toBe(201);
      expect((await atB.get('/api/v1/customers?filter[nodeField]=5&fields=id')).body.data).toEqual([{ id: created.body.id }]);
      expect((await a.api.delete(`/api/v1/meta/entities/customer/custom-fields/nodeField?version=${added.body.version}`)).status).toBe(200);
      await eventually(async () => (await atB.post('/api/v1/customers', { customerNo: 'C00000002', name: 'y', kind: 'person', status: 'active', nodeField: 1 })).status === 400);
    });
  });
}
