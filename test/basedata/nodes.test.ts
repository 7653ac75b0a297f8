import { Writable } from 'node:stream';
import { Platform } from '../../core/src/app/platform';
import { createLogger } from '../../core/src/app/logger';
import { describeEachDatabase, startTestPlatform, testKeyring, TEST_SCRIPT_ENGINE, type TestPlatform } from '../support/platform';
import { label } from './helpers';

describeEachDatabase('base data on two nodes', (db) => {
  let a: TestPlatform;
  let b: Platform;
  beforeAll(async () => {
    // Only an explicit poll delivers signals here, so the test decides when node B learns.
    a = await startTestPlatform(db, { plugins: [], env: { CLUSTER_POLL_MS: '600000' } });
    const silent = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
    b = await Platform.start({ ...a.config, port: 0 }, { pluginSource: true, logger: silent, plugins: [], keyring: testKeyring(), scripts: TEST_SCRIPT_ENGINE });
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it("reloads dictionaries and parameters when another node changed them, and only then", async () => {
    const d = (await a.api.post('/api/v1/dictionaries', { code: 'shared', label: label('共享', 'Shared') })).body;
    await a.api.post('/api/v1/dictionaryItems', { dictionary: d.id, code: 'one', label: label('一', 'One') });
    const p = (await a.api.get('/api/v1/parameters?filter[code]=company.name')).body.data[0];
    await a.api.patch(`/api/v1/parameters/${p.id}`, { version: p.version, value: '两节点公司' });
    expect(a.platform.dictionaries.values('shared')).toEqual(['one']);
    expect(b.dictionaries.values('shared')).toBeUndefined();
    expect(b.parameters.get('company.name')).toBe('');
    await a.platform.store.events.idle(); // node A's signal is out
    await b.signals.poll();
    await b.signals.idle();
    expect(b.dictionaries.values('shared')).toEqual(['one']);
    expect(b.parameters.get('company.name')).toBe('两节点公司');
  });
});
