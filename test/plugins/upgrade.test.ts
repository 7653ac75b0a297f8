import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { PluginDir } from '../support/plugins';
import { tableColumns } from '../../core/src/plugins/migrations';

const migrationRows = (t: TestPlatform) =>
  t.platform.db.all<{ name: string; version: string; ran: number | boolean }>("SELECT name, version, ran FROM plinth_plugin_migrations WHERE plugin = 'ledger' ORDER BY name");

const entries = async (t: TestPlatform) => (await t.api.get('/api/v1/ledgerEntries?sort=id')).body.data as Record<string, unknown>[];

describeEachDatabase('plugin upgrades by migrations', (db) => {
  let dir: PluginDir;
  let t: TestPlatform;
  beforeEach(async () => {
    dir = new PluginDir({ customers: 'plugins/customers', ledger: 'test/fixtures/upgrade/ledger-1' });
    t = await startTestPlatform(db, { env: { PLUGINS_DIR: dir.dir } });
    expect((await t.api.post('/api/v1/ledgerEntries', { title: '保费', amount: 500 })).status).toBe(201);
  });
  afterEach(async () => {
    await t?.stop();
    dir.cleanup();
  });

  it('upgrades across two versions at once (1.0.0 → 3.0.0), in order, once', async () => {
    expect((await t.api.get('/api/v1/plugins/ledger')).body).toMatchObject({ installedVersion: '1.0.0', codeVersion: '1.0.0', status: 'enabled' });
    dir.link('ledger', 'test/fixtures/upgrade/ledger-3');
    t = await t.restart();

    expect((await t.api.get('/api/v1/plugins/ledger')).body).toMatchObject({ installedVersion: '3.0.0', codeVersion: '3.0.0', status: 'enabled', failure: null });
    // The order shows in the data: 3.0.0-status prefixes the subject 2.0.0-subject copied.
    expect((await migrationRows(t)).map((r) => [r.name, r.version, Number(r.ran)])).toEqual([
      ['2.0.0-currency', '3.0.0', 1],
      ['2.0.0-subject', '3.0.0', 1],
      ['3.0.0-status', '3.0.0', 1],
    ]);
    expect((await entries(t)).map((e) => [e.subject, e.amount, e.currency, e.status])).toEqual([
      ['开户', 100, 'CNY', 'open'],
      ['[已关闭] 退款', -20, 'CNY', 'closed'],
      ['保费', 500, 'CNY', 'open'],
    ]);
    // Nothing is dropped: the old field's column keeps its data.
    expect(await tableColumns(t.platform.db, 'ledger_entries')).toContain('title');
    expect((await t.api.get('/api/v1/ext/ledger/version')).body).toEqual({ version: '3.0.0' });

    // Idempotent: another start runs nothing again.
    t = await t.restart();
    expect(await migrationRows(t)).toHaveLength(3);
    expect((await entries(t)).map((e) => e.subject)).toEqual(['开户', '[已关闭] 退款', '保费']);
  });

  it('runs only what is pending when upgraded one version at a time', async () => {
    dir.link('ledger', 'test/fixtures/upgrade/ledger-2');
    t = await t.restart();
    expect((await t.api.get('/api/v1/plugins/ledger')).body.installedVersion).toBe('2.0.0');
    expect((await migrationRows(t)).map((r) => r.name).sort()).toEqual(['2.0.0-currency', '2.0.0-subject']);
    dir.link('ledger', 'test/fixtures/upgrade/ledger-3');
    t = await t.restart();
    expect((await migrationRows(t)).map((r) => [r.name, r.version]).sort()).toEqual([
      ['2.0.0-currency', '2.0.0'],
      ['2.0.0-subject', '2.0.0'],
      ['3.0.0-status', '3.0.0'],
    ]);
    expect((await entries(t)).map((e) => e.status)).toEqual(['open', 'closed', 'open']);
  });

  it('a failed migration keeps the previous version, refuses to serve the plugin with the reason, and the rest runs', async () => {
    dir.link('ledger', 'test/fixtures/upgrade/ledger-3-broken');
    t = await t.restart();

    const info = (await t.api.get('/api/v1/plugins/ledger')).body;
    const reason = 'Upgrading "ledger" from 1.0.0 to 3.0.0 failed in migration "3.0.0-status": the ledger 3.0.0 migration fails on purpose';
    expect(info).toMatchObject({ status: 'failed', enabled: true, installedVersion: '1.0.0', codeVersion: '3.0.0', failure: { message: reason } });
    expect(info.unavailable).toContain(reason);
    for (const url of ['/api/v1/ledgerEntries', '/api/v1/ext/ledger/version']) {
      const res = await t.api.get(url);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'plugin-unavailable', detail: expect.stringContaining(reason) });
    }
    expect((await t.api.get('/api/v1/customers')).status).toBe(200);
    // Rolled back as a whole: no migration recorded, no data changed (the earlier steps included).
    expect(await migrationRows(t)).toEqual([]);
    const rows = await t.platform.db.all<{ title: string; subject: string | null; currency: string | null }>('SELECT title, subject, currency FROM ledger_entries ORDER BY id');
    expect(rows.map((r) => [r.title, r.subject, r.currency])).toEqual([
      ['开户', null, null],
      ['退款', null, null],
      ['保费', null, null],
    ]);
    // Retrying fails the same way, and says so.
    const retry = await t.api.post('/api/v1/plugins/ledger/upgrade');
    expect(retry.status).toBe(422);
    expect(retry.body.detail).toContain('the ledger 3.0.0 migration fails on purpose');

    // The fixed code upgrades at the next start.
    dir.link('ledger', 'test/fixtures/upgrade/ledger-3');
    t = await t.restart();
    expect((await t.api.get('/api/v1/plugins/ledger')).body).toMatchObject({ status: 'enabled', installedVersion: '3.0.0', failure: null, unavailable: null });
    expect((await entries(t)).map((e) => e.subject)).toEqual(['开户', '[已关闭] 退款', '保费']);
  });

  it('records the migrations of a fresh install without running them', async () => {
    const fresh = new PluginDir({ ledger: 'test/fixtures/upgrade/ledger-3' });
    const other = await startTestPlatform(db, { env: { PLUGINS_DIR: fresh.dir } });
    try {
      expect((await migrationRows(other)).map((r) => [r.name, Number(r.ran)]).sort()).toEqual([
        ['2.0.0-currency', 0],
        ['2.0.0-subject', 0],
        ['3.0.0-status', 0],
      ]);
      expect((await other.api.get('/api/v1/plugins/ledger')).body.installedVersion).toBe('3.0.0');
    } finally {
      await other.stop();
      fresh.cleanup();
    }
  });
});
