import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD, type OrgFixture } from '../support/org';
import { PageClient, pageData } from './client';

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}'&`;

/** No markup from data reaches the page unescaped, and the scripts' JSON cannot close its element. */
function expectSafe(html: string): void {
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('<img src=x');
  expect(html).not.toMatch(/<[^>]+\sonerror=/i);
  expect(html).not.toContain('>49<');
  const json = /<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/.exec(html)![1];
  expect(json).not.toMatch(/<\/?script/i);
}

describeEachDatabase('admin pages', (db) => {
  let t: TestPlatform;
  let org: OrgFixture;
  const client = async (name: string) => {
    const c = new PageClient(t.platform.url);
    await c.login(name, PASSWORD);
    return c;
  };
  const admin = async () => {
    const c = new PageClient(t.platform.url);
    await c.login('admin', 'Test-Admin-Pass-1');
    return c;
  };

  beforeAll(async () => {
    t = await startTestPlatform(db);
    org = await buildOrg(t, 0, []);
  }, 120_000);
  afterAll(async () => t?.stop());

  it('the admin console lists every screen for a system administrator, each page opens; the nav links it', async () => {
    const a = await admin();
    const index = await a.get('/admin');
    expect(index.status).toBe(200);
    const screens = [...index.text.matchAll(/data-screen="([a-z]+)"/g)].map((m) => m[1]);
    expect(screens).toEqual(expect.arrayContaining(['org', 'roles']));
    expect(index.text).toContain('data-testid="nav-admin"');
    for (const path of ['/admin/org', `/admin/org?unit=${org.departments.sh}`, '/admin/positions', '/admin/roles', `/admin/roles/${org.roles.salesRep}`]) {
      const res = await a.get(path);
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.text).not.toMatch(/<script(?![^>]*\s(src=|type="application\/json"))[^>]*>/);
    }
  });

  it('a user without admin rights gets 403 pages with no data, and no admin link', async () => {
    const rep = await client('rep1');
    const home = await rep.get('/');
    expect(home.text).not.toContain('data-testid="nav-admin"');
    for (const path of ['/admin', '/admin/org', '/admin/positions', '/admin/roles', `/admin/roles/${org.roles.salesRep}`]) {
      const res = await rep.get(path);
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.text).not.toContain('上海分公司');
      expect(res.text).not.toContain('salesRep');
      expect(res.text).not.toMatch(/data-testid="(org-tree|members|positions|roles|grant-matrix|role-members)"/);
      expect(res.text).toContain('<h1>403</h1>');
    }
    // Without a session: the login page.
    const anon = await new PageClient(t.platform.url).get('/admin/roles');
    expect(anon.status).toBe(302);
  });

  it('a branch administrator edits the units of the branch only; roles are read-only to them', async () => {
    const sh = await client('shAdmin');
    const index = (await sh.get('/admin')).text;
    const screens = [...index.matchAll(/data-screen="([a-z]+)"/g)].map((m) => m[1]);
    expect(screens).toContain('org');
    expect(screens).toContain('roles');
    expect(screens).not.toContain('plugins');
    expect(index).toContain('data-testid="nav-admin"');
    const own = await sh.get(`/admin/org?unit=${org.departments.shSales}`);
    expect(own.status).toBe(200);
    expect(own.text).toContain('data-testid="unit-save"');
    expect(own.text).toContain('销售一组');
    // Members of the unit are listed with their roles.
    expect(own.text).toContain('shSalesMgr');
    expect(own.text).toMatch(/data-user-role="\d+"/);
    const other = await sh.get(`/admin/org?unit=${org.departments.gzSales}`);
    expect(other.status).toBe(200);
    expect(other.text).not.toContain('data-testid="unit-save"');
    expect(other.text).not.toContain('data-testid="unit-delete"');
    // Role assignments are for system administrators: no controls for them here.
    expect(own.text).not.toContain('data-action="assign-role"');
    const role = await sh.get(`/admin/roles/${org.roles.salesRep}`);
    expect(role.status).toBe(200);
    expect(role.text).toContain('data-testid="grant-matrix"');
    expect(role.text).not.toContain('data-testid="save-grants"');
    expect(role.text).toMatch(/<select class="scope"[^>]* disabled>/);
  });

  it('an auditor reads roles but may not use the organisation screen', async () => {
    const auditor = await client('auditor');
    expect((await auditor.get('/admin/roles')).status).toBe(200);
    expect((await auditor.get('/admin/org')).status).toBe(403);
  });

  it('the grant matrix shows a role\'s grants by entity and action: plugin grants read-only, administrators\' grants editable', async () => {
    const added = await t.api.post('/api/v1/roleGrants', { role: org.roles.salesRep, entity: 'position', actions: ['read', 'export'], scope: 'department', hiddenFields: ['level'] });
    expect(added.status).toBe(201);
    const a = await admin();
    const html = (await a.get(`/admin/roles/${org.roles.salesRep}`)).text;
    const row = new RegExp(`<tr data-entity="position">([\\s\\S]*?)</tr>`).exec(html)![1];
    expect(row).toMatch(/data-action-name="read" data-initial="department"/);
    expect(row).toMatch(/data-action-name="export" data-initial="department"/);
    expect(row).toMatch(/data-action-name="create" data-initial=""/);
    // The org plugin grants every role read on positions: shown beside, not editable.
    expect(row).toContain('plugin-grant');
    const data = pageData(html);
    expect(data.grants.filter((g: { entity: string }) => g.entity === 'position')).toEqual([expect.objectContaining({ id: added.body.id, actions: ['read', 'export'], scope: 'department', hiddenFields: ['level'] })]);
    // Plugin grants are not in the page's editable set.
    expect(data.grants.every((g: { entity: string }) => g.entity === 'position')).toBe(true);
  });

  it('hostile names of units, positions, users and roles are escaped on the admin pages', async () => {
    const unit = await t.api.post('/api/v1/departments', { name: HOSTILE, kind: 'team', parent: org.departments.shSales, code: 'HOSTILE1' });
    expect(unit.status).toBe(201);
    const user = await t.api.post('/api/v1/users', { username: 'hostile1', displayName: HOSTILE, department: unit.body.id, title: HOSTILE });
    expect(user.status).toBe(201);
    const role = await t.api.post('/api/v1/roles', { code: 'hostileRole', name: HOSTILE, description: HOSTILE });
    expect(role.status).toBe(201);
    expect((await t.api.post('/api/v1/userRoles', { user: user.body.id, role: role.body.id })).status).toBe(201);
    expect((await t.api.post('/api/v1/positions', { name: HOSTILE, code: 'H1', description: HOSTILE })).status).toBe(201);
    const a = await admin();
    for (const path of [`/admin/org?unit=${unit.body.id}`, '/admin/org', '/admin/positions', '/admin/roles', `/admin/roles/${role.body.id}`]) {
      const res = await a.get(path);
      expect([path, res.status]).toEqual([path, 200]);
      expectSafe(res.text);
      expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  it('custom fields, dictionaries and categories: pages for administrators, 403 for others; who may write dictionaries gets that screen only', async () => {
    const a = await admin();
    const gender = (await t.api.get('/api/v1/dictionaries?filter[code]=gender')).body.data[0];
    const tree = await t.api.post('/api/v1/categories', { kind: 'product', code: 'P1', label: { 'zh-CN': '产品', en: 'Products' } });
    expect(tree.status).toBe(201);
    for (const path of ['/admin/fields', '/admin/fields/customer', '/admin/fields/user', '/admin/dictionaries', `/admin/dictionaries/${gender.id}`, '/admin/categories', `/admin/categories?category=${tree.body.id}`]) {
      const res = await a.get(path);
      expect([path, res.status]).toEqual([path, 200]);
    }
    expect((await a.get('/admin/fields/nope')).status).toBe(404);
    expect((await a.get('/admin/dictionaries/999999')).status).toBe(404);
    const sh = await client('shAdmin');
    for (const path of ['/admin/fields', '/admin/fields/customer', '/admin/dictionaries', `/admin/dictionaries/${gender.id}`, '/admin/categories']) {
      const res = await sh.get(path);
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.text).not.toContain('data-testid="fields"');
      expect(res.text).not.toContain('idDocumentType');
    }
    // A role allowed to maintain dictionaries: that screen, and nothing it does not grant.
    const role = (await t.api.post('/api/v1/roles', { code: 'dictKeeper', name: 'Dictionary keeper' })).body;
    for (const entity of ['dictionary', 'dictionaryItem']) expect((await t.api.post('/api/v1/roleGrants', { role: role.id, entity, actions: ['create', 'update'], scope: 'all' })).status).toBe(201);
    expect((await t.api.post('/api/v1/userRoles', { user: org.users.rep4.id, role: role.id })).status).toBe(201);
    const keeper = await client('rep4');
    const index = (await keeper.get('/admin')).text;
    expect([...index.matchAll(/data-screen="([a-z]+)"/g)].map((m) => m[1])).toEqual(['dictionaries']);
    const page = await keeper.get(`/admin/dictionaries/${gender.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="new-item"');
    expect(page.text).not.toContain('data-action="delete-item"');
    expect((await keeper.get('/admin/categories')).status).toBe(403);
    expect((await keeper.get('/admin/fields')).status).toBe(403);
  });

  it('hostile labels of custom fields, dictionaries, items, categories and attributes are escaped', async () => {
    const h = { 'zh-CN': HOSTILE, en: HOSTILE };
    expect((await t.api.post('/api/v1/meta/entities/contact/custom-fields', { name: 'xHostile', type: 'choice', label: h, help: h, options: [{ value: 'x', label: h }] })).status).toBe(201);
    expect((await t.api.put('/api/v1/meta/entities/contact/fields/title/overlay', { label: h, help: h })).status).toBe(200);
    const dict = await t.api.post('/api/v1/dictionaries', { code: 'hostileDict', label: h, description: HOSTILE });
    expect(dict.status).toBe(201);
    expect((await t.api.post('/api/v1/dictionaryItems', { dictionary: dict.body.id, code: 'x1', label: h })).status).toBe(201);
    const cat = await t.api.post('/api/v1/categories', { kind: 'hostileKind', code: 'H1', label: h, description: HOSTILE });
    expect(cat.status).toBe(201);
    const sub = await t.api.post('/api/v1/categories', { kind: 'hostileKind', code: 'H2', label: h, parent: cat.body.id });
    expect((await t.api.post('/api/v1/categoryAttributes', { category: cat.body.id, name: 'size', type: 'enum', label: h, options: [{ value: 'x', label: h }] })).status).toBe(201);
    const a = await admin();
    expectSafe((await a.get('/admin/fields')).text);
    for (const path of ['/admin/fields/contact', '/admin/dictionaries', `/admin/dictionaries/${dict.body.id}`, `/admin/categories?category=${cat.body.id}`, `/admin/categories?category=${sub.body.id}`]) {
      const res = await a.get(path);
      expect([path, res.status]).toEqual([path, 200]);
      expectSafe(res.text);
      expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
  });

  it('plugins and packages are for system administrators; the log viewer for readers of the log, with its filters', async () => {
    const a = await admin();
    const plugins = await a.get('/admin/plugins');
    expect(plugins.status).toBe(200);
    expect(plugins.text).toMatch(/<tr data-plugin="contacts" data-status="enabled">/);
    expect(plugins.text).toMatch(/data-op="disable" data-name="contacts"/);
    // The platform's own plugin cannot be switched off: no buttons.
    expect(/<tr data-plugin="system"[\s\S]*?<\/tr>/.exec(plugins.text)![0]).not.toContain('data-op=');
    const packages = await a.get('/admin/packages');
    expect(packages.status).toBe(200);
    for (const section of ['customFields', 'dictionaries', 'forms']) expect(packages.text).toContain(`name="sections" value="${section}"`);
    // The log: the rows the API gives for the same filter, and a bad filter is shown, not a failure.
    const page = await a.get(`/admin/audit?action=create&entity=department&limit=5`);
    expect(page.status).toBe(200);
    const ids = [...page.text.matchAll(/<tr data-id="(\d+)" data-action="([^"]+)" data-entity="([^"]*)"/g)];
    const api = (await t.api.get('/api/v1/audit?action=create&entity=department&limit=5')).body.data;
    expect(ids.map((m) => Number(m[1]))).toEqual(api.map((r: { id: number }) => r.id));
    expect(ids.every((m) => m[2] === 'create' && m[3] === 'department')).toBe(true);
    expect(page.text).toContain('data-testid="audit-older"');
    const bad = await a.get('/admin/audit?from=yesterday');
    expect(bad.status).toBe(200);
    expect(bad.text).toContain('data-testid="audit-error"');
    // The menu entry of the log leads to the viewer.
    const menu = await a.get('/app/audit?action=login');
    expect([menu.status, menu.location]).toEqual([302, '/admin/audit?action=login']);

    const sh = await client('shAdmin');
    expect((await sh.get('/admin/plugins')).status).toBe(403);
    expect((await sh.get('/admin/packages')).status).toBe(403);
    expect((await sh.get('/admin/audit')).status).toBe(200);
    const rep = await client('rep2');
    const refused = await rep.get('/admin/audit');
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('data-testid="audit"');
  });

  it('hostile text in the operation log is escaped', async () => {
    const unit = await t.api.post('/api/v1/departments', { name: `${HOSTILE}log`, kind: 'team', parent: org.departments.gzSales });
    expect(unit.status).toBe(201);
    const a = await admin();
    const res = await a.get(`/admin/audit?entity=department&recordId=${unit.body.id}`);
    expect(res.status).toBe(200);
    expectSafe(res.text);
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('forms: the list and the editor for who manages forms, 403 for others; hostile labels escaped', async () => {
    const h = { 'zh-CN': HOSTILE, en: HOSTILE };
    const created = await t.api.post('/api/v1/forms', { code: 'hostileForm', kind: 'data', label: h, fields: [{ name: 'title', type: 'string', label: h, help: h }, { name: 'kind', type: 'enum', label: h, values: [{ value: 'x', label: h }] }], rules: [{ check: 'title != ""', message: h }], layout: { sections: [{ title: h, fields: ['title', 'kind'] }] } });
    expect(created.status).toBe(201);
    const a = await admin();
    for (const path of ['/admin/forms', '/admin/forms/hostileForm']) {
      const res = await a.get(path);
      expect([path, res.status]).toEqual([path, 200]);
      expectSafe(res.text);
    }
    expect((await a.get('/admin/forms')).text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The editor hands the definition to its script as JSON, which cannot close its element.
    expect(pageData((await a.get('/admin/forms/hostileForm')).text).definition.label['zh-CN']).toBe(HOSTILE);
    expect((await a.get('/admin/forms/nope')).status).toBe(404);
    const rep = await client('rep3');
    for (const path of ['/admin/forms', '/admin/forms/hostileForm']) expect([path, (await rep.get(path)).status]).toEqual([path, 403]);
    // A role granted the formDefinition resource manages forms: the screen opens for it.
    const role = (await t.api.post('/api/v1/roles', { code: 'formKeeper', name: 'Form keeper' })).body;
    expect((await t.api.post('/api/v1/roleGrants', { role: role.id, entity: 'formDefinition', actions: ['create', 'update', 'delete'], scope: 'all' })).status).toBe(201);
    expect((await t.api.post('/api/v1/userRoles', { user: org.users.rep3.id, role: role.id })).status).toBe(201);
    const keeper = await client('rep3');
    expect((await keeper.get('/admin/forms/hostileForm')).status).toBe(200);
    expect((await keeper.get('/admin/plugins')).status).toBe(403);
  });

  it('a role held by many and a unit with many members list the first 200 and link to the rest', async () => {
    const unit = (await t.api.post('/api/v1/departments', { name: '大部门', kind: 'department', parent: org.departments.hq })).body;
    const users = (await t.api.post('/api/v1/users/bulk', { create: Array.from({ length: 205 }, (_, i) => ({ username: `many${i}`, displayName: `成员${i}`, department: unit.id })) })).body.created;
    const role = (await t.api.post('/api/v1/roles', { code: 'crowd', name: 'Crowd' })).body;
    expect((await t.api.post('/api/v1/userRoles/bulk', { create: users.map((u: { id: number }) => ({ user: u.id, role: role.id })) })).status).toBe(200);
    const a = await admin();
    const rolePage = (await a.get(`/admin/roles/${role.id}`)).text;
    expect([...rolePage.matchAll(/data-action="remove-role-member"/g)].length).toBe(200);
    // (Handlebars writes "=" as &#x3D; in attributes.)
    expect(rolePage).toContain(`href="/app/userRoles?filter[role]&#x3D;${role.id}"`);
    expect(rolePage).toContain('共 205 个');
    const unitPage = (await a.get(`/admin/org?unit=${unit.id}`)).text;
    expect([...unitPage.matchAll(/data-action="remove-member"/g)].length).toBe(200);
    expect(unitPage).toContain(`href="/app/users?filter[department]&#x3D;${unit.id}"`);
  });

  it('script endpoints are rows of the grant matrix with their call action', async () => {
    const saved = await t.api.post('/api/v1/scripts', {
      name: 'ping', kind: 'endpoint', target: 'ping', language: 'ts', capabilities: [],
      source: 'export default async function (input: EndpointInput) { return { pong: input.method }; }',
    });
    expect(saved.status).toBe(201);
    expect((await t.api.post('/api/v1/roleGrants', { role: org.roles.salesRep, entity: 'x:ping', actions: ['call'], scope: 'all' })).status).toBe(201);
    const a = await admin();
    const html = (await a.get(`/admin/roles/${org.roles.salesRep}`)).text;
    const row = /<tr data-entity="x:ping">([\s\S]*?)<\/tr>/.exec(html)![1];
    expect(row).toContain('/api/v1/x/ping');
    expect(row).toMatch(/data-action-name="call" data-initial="all"/);
  });
});
