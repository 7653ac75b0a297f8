import { Api, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { PluginDir } from '../support/plugins';
import { clientFor, createUser } from '../auth/helpers';

const PASSWORD = 'Plugin-Test-Pass-1';

describeEachDatabase('plugins managed at runtime', (db) => {
  const dir = new PluginDir({
    customers: 'plugins/customers',
    contacts: 'plugins/contacts',
    perks: 'test/fixtures/lifecycle/perks',
    flaky: 'test/fixtures/lifecycle/flaky',
  });
  let t: TestPlatform;
  let vera: Api;

  const status = async (name: string) => (await t.api.get(`/api/v1/plugins/${name}`)).body.status as string;
  const customerCount = async () => (await t.api.get('/api/v1/customers?count=true&limit=1')).body.meta.total as number;

  beforeAll(async () => {
    t = await startTestPlatform(db, { env: { PLUGINS_DIR: dir.dir } });
    await createUser(t, 'vera', PASSWORD);
    const role = (await t.api.get('/api/v1/roles?filter[code]=vipManager')).body.data[0];
    const user = (await t.api.get('/api/v1/users?filter[username]=vera')).body.data[0];
    expect((await t.api.post('/api/v1/userRoles', { user: user.id, role: role.id })).status).toBe(201);
    vera = await clientFor(t, 'vera', PASSWORD);
  });
  afterAll(async () => {
    await t?.stop();
    dir.cleanup();
  });

  it('lists every plugin from its manifest, with state, versions and dependents', async () => {
    const list = (await t.api.get('/api/v1/plugins')).body.data as any[];
    expect(list.map((p) => [p.name, p.status])).toEqual([
      ['system', 'enabled'],
      ['contacts', 'enabled'],
      ['customers', 'enabled'],
      ['flaky', 'available'],
      ['perks', 'enabled'],
    ]);
    const customers = list.find((p) => p.name === 'customers');
    expect(customers).toMatchObject({ installed: true, enabled: true, installedVersion: '1.0.0', codeVersion: '1.0.0', dependents: ['contacts', 'perks'], problems: [], label: { en: 'Customers' } });
    expect(customers.manifest.contributes.entities).toEqual(['customer']);
    expect(list.find((p) => p.name === 'system')).toMatchObject({ builtin: true, enabled: true });
    // flaky's seed failed at start: rolled back, reported, nothing left behind
    const flaky = list.find((p) => p.name === 'flaky');
    expect(flaky).toMatchObject({ installed: false, installError: expect.stringContaining('the flaky seed fails on purpose') });
    expect((await t.api.get('/api/v1/customers?filter[customerNo]=C90000002')).body.data).toEqual([]);
  });

  it('is for system administrators only', async () => {
    expect((await vera.get('/api/v1/plugins')).status).toBe(403);
    expect((await vera.post('/api/v1/plugins/perks/disable')).status).toBe(403);
    expect(await status('perks')).toBe('enabled');
  });

  it('checks a plugin from its manifest alone', async () => {
    const check = await t.api.post('/api/v1/plugins/flaky/check');
    expect(check.status).toBe(200);
    expect(check.body).toEqual({ name: 'flaky', ok: true, problems: [], plan: { install: ['flaky'], enable: [], upgrade: [] } });
    expect((await t.api.post('/api/v1/plugins/nothing/check')).status).toBe(404);
  });

  it('a failed install rolls back its seed and reports why', async () => {
    const before = await customerCount();
    const res = await t.api.post('/api/v1/plugins/flaky/install');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'plugin-change-failed', detail: expect.stringMatching(/^Installing "flaky" failed and was rolled back: .*the flaky seed fails on purpose/) });
    expect(await customerCount()).toBe(before);
    expect(await status('flaky')).toBe('available');
    expect((await t.api.get('/api/v1/ext/flaky/ping')).status).toBe(404);
  });

  it('disabling takes routes, menus and grants away at once; enabling brings them back', async () => {
    expect((await t.api.get('/api/v1/ext/perks/hello')).body).toEqual({ hello: 'perks', user: 'admin' });
    expect((await vera.get('/api/v1/customers')).status).toBe(200);

    const off = await t.api.post('/api/v1/plugins/perks/disable');
    expect(off.status).toBe(200);
    expect(off.body.plugin).toMatchObject({ name: 'perks', status: 'disabled', enabled: false, installed: true });
    expect((await t.api.get('/api/v1/ext/perks/hello')).status).toBe(404);
    expect((await vera.get('/api/v1/customers')).status).toBe(403);
    expect(t.platform.plugins.map((p) => p.name)).not.toContain('perks');

    const on = await t.api.post('/api/v1/plugins/perks/enable');
    expect(on.status).toBe(200);
    expect(on.body.plan).toEqual({ install: [], enable: ['perks'], upgrade: [] });
    expect((await t.api.get('/api/v1/ext/perks/hello')).status).toBe(200);
    expect((await vera.get('/api/v1/customers')).status).toBe(200);
  });

  it('refuses to disable or uninstall what an enabled plugin needs, naming them', async () => {
    for (const op of ['disable', 'uninstall']) {
      const res = await t.api.post(`/api/v1/plugins/customers/${op}`);
      expect(res.status).toBe(409);
      expect(res.body.detail).toBe(`Plugin "customers" cannot be ${op === 'disable' ? 'disabled' : 'uninstalled'}: enabled plugin(s) contacts, perks need it; disable them first`);
      expect(res.body.errors).toEqual([
        { field: 'dependents', rule: 'in-use', message: 'contacts depends on customers' },
        { field: 'dependents', rule: 'in-use', message: 'perks depends on customers' },
      ]);
    }
    expect((await t.api.post('/api/v1/plugins/system/disable')).status).toBe(409);
    expect(await status('customers')).toBe('enabled');
  });

  it('refuses (422) to disable or uninstall a plugin whose entities forms or custom fields refer to, naming them, and changes nothing', async () => {
    const label = (x: string) => ({ 'zh-CN': x, en: x });
    const form = await t.api.post('/api/v1/forms', {
      code: 'visitLog', kind: 'data', label: label('Visits'),
      fields: [
        { name: 'title', type: 'string', label: label('Title'), length: 50 },
        { name: 'lines', type: 'detail', label: label('Lines'), fields: [{ name: 'who', type: 'reference', entity: 'contact', label: label('Who') }, { name: 'note', type: 'string', label: label('Note') }] },
      ],
    });
    expect(form.status).toBe(201);
    const field = await t.api.post('/api/v1/meta/entities/customer/custom-fields', { name: 'mainContact', type: 'reference', target: 'contact', label: label('Main contact') });
    expect(field.status).toBe(201);
    const rec = await t.api.post('/api/v1/forms/visitLog/records', { title: 'first', lines: [{ note: 'x' }] });
    expect(rec.status).toBe(201);

    for (const op of ['disable', 'uninstall']) {
      const res = await t.api.post(`/api/v1/plugins/contacts/${op}`);
      expect([res.status, res.body.code]).toEqual([422, 'in-use']);
      expect(res.body.detail).toContain(`Plugin "contacts" cannot be ${op === 'disable' ? 'disabled' : 'uninstalled'}`);
      expect(res.body.errors).toEqual([
        { field: '(plugin)', rule: 'in-use', message: 'data form "visitLog" (lines.who → contact)' },
        { field: '(plugin)', rule: 'in-use', message: 'custom field customer.mainContact (→ contact)' },
      ]);
      expect(await status('contacts')).toBe('enabled');
      expect((await t.api.get('/api/v1/contacts')).status).toBe(200);
      expect((await t.api.get('/api/v1/forms/visitLog/records')).body.data).toHaveLength(1);
    }

    // Once nothing refers to it, it goes (and comes back for the tests below).
    expect((await t.api.delete('/api/v1/forms/visitLog?version=1')).status).toBe(204);
    expect((await t.api.delete(`/api/v1/meta/entities/customer/custom-fields/mainContact?version=${field.body.version}`)).status).toBe(200);
    expect((await t.api.post('/api/v1/plugins/contacts/disable')).status).toBe(200);
    expect((await t.api.post('/api/v1/plugins/contacts/enable')).status).toBe(200);
  });

  it('undoes a disable that fails half-way: the plugin stays enabled and served', async () => {
    let armed = true;
    t.platform.pluginManager.onChange(() => {
      if (!armed) return;
      armed = false;
      throw new Error('a listener fails on purpose');
    });
    const res = await t.api.post('/api/v1/plugins/perks/disable');
    expect([res.status, res.body.code]).toEqual([422, 'plugin-change-failed']);
    expect(res.body.detail).toContain('a listener fails on purpose');
    expect(await status('perks')).toBe('enabled');
    expect((await t.api.get('/api/v1/ext/perks/hello')).status).toBe(200);
    expect((await vera.get('/api/v1/customers')).status).toBe(200);
  });

  it("enabling a plugin enables what it needs first; a disabled plugin's entities leave the API", async () => {
    const customerId = (await t.api.get('/api/v1/customers?filter[customerNo]=C90000001')).body.data[0].id;
    const tabs = async () => (await t.api.get(`/api/v1/customers/${customerId}/related`)).body.data.map((tab: { key: string }) => tab.key);
    expect(await tabs()).toContain('contacts');
    expect((await t.api.post('/api/v1/plugins/contacts/disable')).status).toBe(200);
    expect(await tabs()).not.toContain('contacts');
    for (const name of ['perks', 'customers']) expect((await t.api.post(`/api/v1/plugins/${name}/disable`)).status).toBe(200);
    expect((await t.api.get('/api/v1/customers')).status).toBe(404);
    expect((await t.api.get('/api/v1/contacts')).status).toBe(404);
    expect((await t.api.get('/api/v1/ext/customers/stats')).status).toBe(404);
    expect((await t.api.post('/api/v1/plugins/contacts/check')).body.plan).toEqual({ install: [], enable: ['customers', 'contacts'], upgrade: [] });

    const res = await t.api.post('/api/v1/plugins/contacts/enable');
    expect(res.status).toBe(200);
    expect(res.body.plan.enable).toEqual(['customers', 'contacts']);
    expect(await status('customers')).toBe('enabled');
    expect((await t.api.get('/api/v1/customers')).status).toBe(200);
    expect((await t.api.get('/api/v1/contacts')).status).toBe(200);
    expect((await t.api.get('/api/v1/ext/customers/stats')).status).toBe(200);
    expect(await status('perks')).toBe('disabled');
    expect((await t.api.post('/api/v1/plugins/perks/enable')).status).toBe(200);
  });

  it('uninstalling keeps the data; installing again brings the grants back without seeding twice', async () => {
    const seeded = async () => (await t.api.get('/api/v1/customers?filter[customerNo]=C90000001')).body.data.length as number;
    expect(await seeded()).toBe(1);
    const res = await t.api.post('/api/v1/plugins/perks/uninstall');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ plugin: { status: 'available', installed: false }, keptTables: [], message: 'Plugin "perks" is uninstalled.' });
    expect(await t.platform.db.all("SELECT id FROM plinth_role_grants WHERE source = 'perks'")).toEqual([]);
    expect((await vera.get('/api/v1/customers')).status).toBe(403);
    expect((await t.api.post('/api/v1/plugins/perks/enable')).status).toBe(409);

    const again = await t.api.post('/api/v1/plugins/perks/install');
    expect(again.status).toBe(200);
    expect(again.body.plan).toEqual({ install: ['perks'], enable: [], upgrade: [] });
    expect((await vera.get('/api/v1/customers')).status).toBe(200);
    expect(await seeded()).toBe(1);
    expect((await t.api.post('/api/v1/plugins/perks/install')).status).toBe(409);
  });

  it('keeps the states across a restart', async () => {
    expect((await t.api.post('/api/v1/plugins/perks/disable')).status).toBe(200);
    t = await t.restart();
    expect(await status('perks')).toBe('disabled');
    expect(await status('customers')).toBe('enabled');
    expect((await t.api.get('/api/v1/ext/perks/hello')).status).toBe(404);
    expect((await t.api.post('/api/v1/plugins/perks/enable')).status).toBe(200);
    expect((await t.api.get('/api/v1/ext/perks/hello')).status).toBe(200);
  });
});
