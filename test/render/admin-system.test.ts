import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD, type OrgFixture } from '../support/org';
import { PageClient, pageData } from './client';

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}'&`;

function expectSafe(html: string): void {
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('<img src=x');
  expect(html).not.toMatch(/<[^>]+\sonerror=/i);
  expect(html).not.toContain('>49<');
  const json = /<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/.exec(html)![1];
  expect(json).not.toMatch(/<\/?script/i);
}

/** The screens of the admin index, in order. */
const screensOf = (html: string) => [...html.matchAll(/data-screen="([a-z]+)"/g)].map((m) => m[1]);

describeEachDatabase('admin pages: parameters, menus, related tabs, scripts', (db) => {
  let t: TestPlatform;
  let org: OrgFixture;
  const client = async (name: string, password = PASSWORD) => {
    const c = new PageClient(t.platform.url);
    await c.login(name, password);
    return c;
  };
  const admin = () => client('admin', 'Test-Admin-Pass-1');

  beforeAll(async () => {
    t = await startTestPlatform(db);
    org = await buildOrg(t, 0, []);
  }, 120_000);
  afterAll(async () => t?.stop());

  it('system administrators get the three screens; others get 403 pages without data', async () => {
    const a = await admin();
    expect(screensOf((await a.get('/admin')).text)).toEqual(expect.arrayContaining(['parameters', 'menus', 'related']));
    for (const path of ['/admin/parameters', '/admin/menus', '/admin/related', '/admin/related?entity=user']) {
      const res = await a.get(path);
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.text).not.toMatch(/<script(?![^>]*\s(src=|type="application\/json"))[^>]*>/);
    }
    expect((await a.get('/admin/related?entity=nope')).status).toBe(404);
    for (const name of ['rep1', 'shAdmin', 'auditor']) {
      const c = await client(name);
      expect(screensOf((await c.get('/admin')).text)).not.toEqual(expect.arrayContaining(['parameters']));
      for (const path of ['/admin/parameters', '/admin/menus', '/admin/related?entity=customer']) {
        const res = await c.get(path);
        expect([name, path, res.status]).toEqual([name, path, 403]);
        expect(res.text).not.toContain('system.timeZone');
        expect(res.text).not.toContain('data-action="menu-rename"');
        expect(res.text).not.toMatch(/data-testid="(menu-tree|related-tabs)"/);
      }
    }
  });

  it('parameters are listed by group with an editor for each type; a secret value never reaches the page', async () => {
    const made = [
      { code: 'test.flag', group: 'test', type: 'boolean', label: { 'zh-CN': '开关', en: 'Flag' }, value: true },
      { code: 'test.since', group: 'test', type: 'date', label: { 'zh-CN': '起始日', en: 'Since' }, value: '2026-01-31' },
      { code: 'test.rules', group: 'test', type: 'json', label: { 'zh-CN': '规则', en: 'Rules' }, value: { max: 3 } },
      { code: 'test.limit', group: 'test', type: 'integer', label: { 'zh-CN': '上限', en: 'Limit' }, value: 12 },
      { code: 'test.ratio', group: 'test', type: 'number', label: { 'zh-CN': '比例', en: 'Ratio' }, value: 0.25 },
      { code: 'test.level', group: 'test', type: 'enum', label: { 'zh-CN': '级别', en: 'Level' }, options: [{ value: 'low', label: { 'zh-CN': '低', en: 'Low' } }, { value: 'high', label: { 'zh-CN': '高', en: 'High' } }], value: 'high' },
      { code: 'test.apiKey', group: 'test', type: 'string', label: { 'zh-CN': '密钥', en: 'API key' }, secret: true, value: 'sk-very-secret-1234' },
    ];
    for (const p of made) expect((await t.api.post('/api/v1/parameters', p)).status).toBe(201);
    const html = (await (await admin()).get('/admin/parameters')).text;
    const row = (code: string) => new RegExp(`<form class="param-row" data-param="\\d+" data-code="${code.replace('.', '\\.')}"[\\s\\S]*?</form>`).exec(html)![0];
    expect(html).toMatch(/data-group="company"[\s\S]*data-group="finance"[\s\S]*data-group="system"[\s\S]*data-group="test"/);
    expect(row('system.timeZone')).toContain('<input name="value" maxlength="10000" value="Asia/Shanghai"');
    expect(row('finance.fiscalYearStart')).toMatch(/<option value="1" selected>/);
    expect(row('finance.defaultCurrency')).toMatch(/<option value="CNY" selected>/);
    expect(row('test.flag')).toMatch(/<option value="true" selected>/);
    expect(row('test.since')).toContain('type="date" value="2026-01-31"');
    expect(row('test.rules')).toMatch(/<textarea name="value"[^>]*>\{\n {2}&quot;max&quot;: 3\n\}<\/textarea>/);
    expect(row('test.limit')).toContain('type="number" step="1" value="12"');
    expect(row('test.ratio')).toContain('step="any" value="0.25"');
    expect(row('test.level')).toMatch(/<option value="high" selected>高 \(high\)<\/option>/);
    expect(row('test.apiKey')).toContain('type="password"');
    expect(html).not.toContain('sk-very-secret-1234');
    const data = pageData(html);
    expect(data.parameters.find((p: { code: string }) => p.code === 'test.apiKey')).toMatchObject({ secret: true, value: null });
    expect(data.parameters.find((p: { code: string }) => p.code === 'test.rules')).toMatchObject({ type: 'json', value: { max: 3 }, version: 1 });
  });

  it('a role allowed to change parameters gets that screen only, and the editors are live for it', async () => {
    const role = (await t.api.post('/api/v1/roles', { code: 'paramKeeper', name: 'Parameter keeper' })).body;
    expect((await t.api.post('/api/v1/roleGrants', { role: role.id, entity: 'parameter', actions: ['update'], scope: 'all' })).status).toBe(201);
    expect((await t.api.post('/api/v1/userRoles', { user: org.users.rep3.id, role: role.id })).status).toBe(201);
    const keeper = await client('rep3');
    expect(screensOf((await keeper.get('/admin')).text)).toEqual(['parameters']);
    const page = await keeper.get('/admin/parameters');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-action="save-param"');
    expect((await keeper.get('/admin/menus')).status).toBe(403);
    // Everyone else reads the parameters but does not get the screen.
    expect((await (await client('rep1')).get('/admin/parameters')).status).toBe(403);
  });

  it('menus: the tree with its overlays — renamed, hidden and moved entries are marked and can be reset', async () => {
    expect((await t.api.put('/api/v1/menus/overlays/customers.list', { label: { 'zh-CN': '我的客户' }, hidden: true })).status).toBe(200);
    const html = (await (await admin()).get('/admin/menus')).text;
    const row = /<tr data-key="customers\.list"[\s\S]*?<\/tr>/.exec(html)![0];
    expect(row).toContain('class="muted"');
    expect(row).toMatch(/<span class="menu-name">我的客户<\/span> <small class="muted">\(客户档案\)<\/small>/);
    expect(row).toContain('data-action="menu-show"');
    expect(row).toContain('data-action="menu-reset"');
    const plain = /<tr data-key="contacts\.list"[\s\S]*?<\/tr>/.exec(html)![0];
    expect(plain).toContain('data-action="menu-hide"');
    expect(plain).not.toContain('data-action="menu-reset"');
    const entry = pageData(html).entries['customers.list'];
    expect(entry).toMatchObject({ overlay: { label: { 'zh-CN': '我的客户' }, hidden: true, version: 1 }, declared: { label: { 'zh-CN': '客户档案' } } });
    expect(entry.siblings).toContain('customers.list');
    expect((await t.api.delete('/api/v1/menus/overlays/customers.list')).status).toBe(204);
  });

  it('related tabs: the plugins\' are read-only, an administrator\'s can be removed; the reference fields are offered', async () => {
    const made = await t.api.post('/api/v1/relatedTabs', { entity: 'user', key: 'reports', target: 'user', foreignKey: 'superior', label: { 'zh-CN': '直接下属', en: 'Direct reports' }, order: 5 });
    expect(made.status).toBe(201);
    const a = await admin();
    const customer = (await a.get('/admin/related?entity=customer')).text;
    const contacts = /<tr data-tab="contacts"[\s\S]*?<\/tr>/.exec(customer)![0];
    expect(contacts).toContain('<code>contacts</code>');
    expect(contacts).not.toContain('data-action="delete-tab"');
    expect(customer).toMatch(/<option value="contact\|customer">/);
    const user = (await a.get('/admin/related?entity=user')).text;
    const reports = /<tr data-tab="reports"[\s\S]*?<\/tr>/.exec(user)![0];
    expect(reports).toContain('直接下属');
    expect(reports).toContain(`data-action="delete-tab" data-id="${made.body.id}"`);
    expect(pageData(user).tabs).toEqual([{ id: made.body.id, version: made.body.version, key: 'reports' }]);
    expect(user).toMatch(/<option value="user\|superior">/);
  });

  it('hostile parameter texts, menu labels and tab labels are escaped', async () => {
    const h = { 'zh-CN': HOSTILE, en: HOSTILE };
    expect((await t.api.post('/api/v1/parameters', { code: 'hostile.text', group: 'hostile', type: 'string', label: h, description: HOSTILE, value: HOSTILE })).status).toBe(201);
    expect((await t.api.post('/api/v1/parameters', { code: 'hostile.json', group: 'hostile', type: 'json', label: h, value: { x: HOSTILE } })).status).toBe(201);
    expect((await t.api.post('/api/v1/parameters', { code: 'hostile.pick', group: 'hostile', type: 'enum', label: h, options: [{ value: 'x', label: h }], value: 'x' })).status).toBe(201);
    expect((await t.api.put('/api/v1/menus/overlays/contacts.list', { label: { 'zh-CN': HOSTILE.slice(0, 100), en: HOSTILE.slice(0, 100) } })).status).toBe(200);
    expect((await t.api.post('/api/v1/relatedTabs', { entity: 'user', key: 'hostile', target: 'user', foreignKey: 'superior', label: h })).status).toBe(201);
    const a = await admin();
    for (const path of ['/admin/parameters', '/admin/menus', '/admin/related?entity=user']) {
      const res = await a.get(path);
      expect(res.status).toBe(200);
      expectSafe(res.text);
    }
    expect((await a.get('/admin/parameters')).text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('scripts: the list with kind, target, version, state and last run; the editor with versions and runs; the run log by status', async () => {
    const v1 = await t.api.post('/api/v1/scripts', { name: 'shout', kind: 'endpoint', target: 'shout', language: 'ts', source: 'export default (input: EndpointInput) => "v1"', description: HOSTILE });
    expect(v1.status).toBe(201);
    const source = `export default (input: EndpointInput) => {\n  if (input.query.fail) throw new Error('</textarea><script>alert(1)</script>');\n  return '</textarea><img src=x onerror=alert(2)>';\n};\n`;
    expect((await t.api.post('/api/v1/scripts', { name: 'shout', kind: 'endpoint', target: 'shout', language: 'ts', source, description: HOSTILE })).status).toBe(201);
    expect((await t.api.get('/api/v1/x/shout?fail=1')).status).toBe(422);
    await t.platform.scripts.flush();
    const a = await admin();
    const list = await a.get('/admin/scripts');
    expect(list.status).toBe(200);
    const row = /<tr data-script="shout"[\s\S]*?<\/tr>/.exec(list.text)![0];
    expect(row).toContain('endpoint');
    expect(row).toContain('<code>shout</code>');
    expect(row).toContain('v2');
    expect(row).toMatch(/<span class="badge danger" data-testid="last-status">error<\/span>/);
    expectSafe(list.text);
    const editor = await a.get('/admin/scripts/shout');
    expect(editor.status).toBe(200);
    expectSafe(editor.text);
    expect(editor.text).toContain('&lt;/textarea&gt;&lt;script&gt;');
    expect([...editor.text.matchAll(/<tr data-version="(\d+)"/g)].map((m) => m[1])).toEqual(['2', '1']);
    expect(pageData(editor.text).script).toMatchObject({ name: 'shout', version: 2, source, isNew: false, current: 2, enabled: true });
    const old = await a.get('/admin/scripts/shout?version=1');
    expect(pageData(old.text).script).toMatchObject({ version: 1, source: 'export default (input: EndpointInput) => "v1"' });
    expect(old.text).toContain('data-version="1" class="active"');
    expect((await a.get('/admin/scripts/shout?version=9')).status).toBe(404);
    expect((await a.get('/admin/scripts/nothing-here')).status).toBe(404);
    const fresh = await a.get('/admin/new-script');
    expect(pageData(fresh.text).script).toMatchObject({ isNew: true, name: '' });
    // Kinds come from the runtime, not the page.
    expect([...fresh.text.matchAll(/<select name="kind"[^>]*>([\s\S]*?)<\/select>/g)][0][1]).toContain('<option value="subscriber">');
    const errors = await a.get('/admin/script-runs?status=error&script=shout');
    expect(errors.status).toBe(200);
    expectSafe(errors.text);
    expect(errors.text).toMatch(/<tr data-run="\d+" data-status="error">/);
    expect(errors.text).toContain('&lt;/textarea&gt;&lt;script&gt;alert(1)');
    expect((await a.get('/admin/script-runs?status=ok&script=shout')).text).not.toMatch(/<tr data-run=/);
  });

  it('scripts are for system administrators only: everyone else gets 403 pages with no script in them', async () => {
    expect((await t.api.post('/api/v1/scripts', { name: 'secret-logic', kind: 'job', target: '0 2 * * *', language: 'js', source: 'export default () => "hidden-body-text"' })).status).toBe(201);
    for (const name of ['rep1', 'shAdmin', 'auditor']) {
      const c = await client(name);
      for (const path of ['/admin/scripts', '/admin/scripts/secret-logic', '/admin/new-script', '/admin/script-runs']) {
        const res = await c.get(path);
        expect([name, path, res.status]).toEqual([name, path, 403]);
        expect(res.text).not.toContain('secret-logic');
        expect(res.text).not.toContain('hidden-body-text');
      }
    }
  });

  it('forms: the editor lists the saved versions; the preview draws any version as users will see it, inputs disabled, hostile labels escaped', async () => {
    const h = { 'zh-CN': HOSTILE, en: HOSTILE };
    const definition = { code: 'trip', kind: 'data', label: { 'zh-CN': '出差申请', en: 'Trip' }, fields: [{ name: 'city', type: 'string', label: { 'zh-CN': '城市', en: 'City' }, required: true }, { name: 'days', type: 'integer', label: { 'zh-CN': '天数', en: 'Days' }, default: 2 }], layout: { sections: [{ title: { 'zh-CN': '行程', en: 'Route' }, columns: 2, fields: ['city', 'days'] }] } };
    expect((await t.api.post('/api/v1/forms', definition)).status).toBe(201);
    const v2 = { ...definition, fields: [...definition.fields, { name: 'note', type: 'string', label: h, help: h }], layout: { sections: [{ title: h, columns: 1, fields: ['city', 'days', 'note'] }] } };
    const saved = await t.api.put('/api/v1/forms/trip', { version: 1, definition: v2 });
    expect([saved.status, saved.body.errors]).toEqual([200, undefined]);
    const a = await admin();
    const editor = (await a.get('/admin/forms/trip')).text;
    expect([...editor.matchAll(/<tr data-version="(\d+)">/g)].map((m) => m[1])).toEqual(['2', '1']);
    expect(editor).toContain('href="/admin/forms/trip/preview?version=1"');
    const current = await a.get('/admin/forms/trip/preview');
    expect(current.status).toBe(200);
    expectSafe(current.text);
    expect(current.text).toContain('<fieldset disabled class="form-section preview">');
    expect(current.text).toMatch(/data-field="note"/);
    expect(current.text).toMatch(/<input type="number" data-name="days" value="2"/);
    const first = (await a.get('/admin/forms/trip/preview?version=1')).text;
    expect(first).not.toMatch(/data-field="note"/);
    expect(first).toContain('<legend>行程</legend>');
    expect((await a.get('/admin/forms/trip/preview?version=7')).status).toBe(404);
    expect((await (await client('rep1')).get('/admin/forms/trip/preview')).status).toBe(403);
  });
});
