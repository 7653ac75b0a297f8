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
});
