import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Platform } from '../../core/src/app/platform';
import { createLogger } from '../../core/src/app/logger';
import { Api, describeEachDatabase, startTestPlatform, testKeyring, type TestPlatform } from '../support/platform';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const t = (s: string) => ({ 'zh-CN': s, en: s });

async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const form = {
  code: 'nodeSheet',
  kind: 'data',
  label: t('Node sheet'),
  fields: [
    { name: 'title', type: 'string', label: t('Title'), required: true },
    { name: 'lines', type: 'detail', label: t('Lines'), fields: [{ name: 'amount', type: 'money', label: t('Amount'), required: true }] },
    { name: 'total', type: 'money', label: t('Total'), formula: 'SUM(lines.amount)' },
  ],
};

for (const mode of REDIS_URL === 'off' ? ['poll'] : ['redis', 'poll']) {
  describeEachDatabase(`data forms on two nodes (${mode})`, (db) => {
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

    it('a data form created on one node takes records on the other without a restart, and its deletion reaches it too', async () => {
      expect((await a.api.post('/api/v1/forms', form)).status).toBe(201);
      await eventually(async () => (await atB.get('/api/v1/formNodeSheetRecords')).status === 200);
      const created = await atB.post('/api/v1/forms/nodeSheet/records', { title: 'on b', lines: [{ amount: 1.1 }, { amount: 2.2 }] });
      expect(created.status).toBe(201);
      expect(created.body.total).toBe(3.3);
      expect((await a.api.get(`/api/v1/forms/nodeSheet/records/${created.body.id}`)).body.lines).toHaveLength(2);
      // the other node keeps the records to the form endpoint as well
      expect((await atB.post('/api/v1/formNodeSheetRecords', { title: 'generic' })).status).toBe(403);
      expect((await a.api.delete('/api/v1/forms/nodeSheet')).status).toBe(204);
      await eventually(async () => (await atB.get('/api/v1/formNodeSheetRecords')).status === 404);
    });
  });
}
