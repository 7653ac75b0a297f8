import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, PASSWORD, type OrgFixture } from '../support/org';
import { PageClient, pageData } from './client';

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}'&`;
const hostileLabel = { 'zh-CN': HOSTILE, en: HOSTILE };

/** No markup from data reaches the page unescaped, and the scripts' JSON cannot close its element. */
function expectSafe(html: string): void {
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('<img src=x');
  expect(html).not.toMatch(/<[^>]+\sonerror=/i);
  expect(html).not.toContain('>49<');
  const json = /<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/.exec(html)![1];
  expect(json).not.toMatch(/<\/?script/i);
}

describeEachDatabase('workspace pages', (db) => {
  let t: TestPlatform;
  let org: OrgFixture;
  const client = async (name: string) => {
    const c = new PageClient(t.platform.url);
    await c.login(name, PASSWORD);
    return c;
  };

  beforeAll(async () => {
    t = await startTestPlatform(db);
    org = await buildOrg(t, 60, []);
  }, 120_000);
  afterAll(async () => t?.stop());

  it('without a session a page sends the browser to the login page, and back after; `next` stays on this site', async () => {
    const anon = new PageClient(t.platform.url);
    const res = await anon.get('/app/customers?view=1');
    expect(res.status).toBe(302);
    expect(res.location).toBe('/login?next=%2Fapp%2Fcustomers%3Fview%3D1');
    const login = await anon.get('/login?next=//evil.example/x');
    expect(pageData(login.text).next).toBe('/');
    expect(pageData((await anon.get('/login?next=/app/contacts')).text).next).toBe('/app/contacts');
  });

  it('pages carry a strict Content-Security-Policy (no inline script), no framing, a referrer policy', async () => {
    const rep = await client('rep1');
    for (const path of ['/', '/app/customers', '/login']) {
      const res = await rep.get(path);
      expect(res.status).toBe(path === '/login' ? 302 : 200);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    // Every script a page loads is a file of this site; none is inline.
    const html = (await rep.get('/app/customers')).text;
    expect(html).not.toMatch(/<script(?![^>]*\s(src=|type="application\/json"))[^>]*>/);
  });

  it('hostile text in every kind of field, label and option is escaped on list, record, form, tabs, history and search pages', async () => {
    const api = t.api;
    const cf = (body: Record<string, unknown>) => api.post('/api/v1/meta/entities/customer/custom-fields', body).then((r) => expect(r.status).toBe(201));
    await cf({ name: 'xText', type: 'text', label: hostileLabel, help: hostileLabel });
    await cf({ name: 'xLong', type: 'longText', label: hostileLabel });
    await cf({ name: 'xChoice', type: 'multiChoice', label: hostileLabel, options: [{ value: 'x', label: hostileLabel }] });
    await cf({ name: 'xFile', type: 'file', label: hostileLabel });
    const upload = await api.request('POST', '/api/v1/files', 'hello', { 'content-type': 'text/plain', 'x-file-name': encodeURIComponent(HOSTILE) });
    expect(upload.status).toBe(201);
    const customer = await api.post('/api/v1/customers', {
      customerNo: 'C66600001', name: HOSTILE, kind: 'person', address: HOSTILE, remarks: HOSTILE, tags: ['<img src=x onerror=1>'],
      xText: HOSTILE, xLong: HOSTILE, xChoice: ['x'], xFile: upload.body.id, owner: org.users.rep1.id, department: org.departments.shTeam1,
    });
    expect([customer.status, customer.body.errors]).toEqual([201, undefined]);
    const contact = await api.post('/api/v1/contacts', { customer: customer.body.id, name: HOSTILE, title: HOSTILE, owner: org.users.rep1.id });
    expect(contact.status).toBe(201);
    await api.patch(`/api/v1/customers/${customer.body.id}`, { name: `${HOSTILE}2`, version: 1 });
    const rep = await client('rep1');
    const id = customer.body.id as number;
    const pages = [
      `/app/customers?columns=name,address,xText,xChoice,xFile,tags`,
      `/app/customers/${id}`,
      `/app/customers/${id}/edit`,
      `/app/customers/new`,
      `/app/customers/${id}/tabs/related/contacts`,
      `/app/customers/${id}/tabs/history`,
      `/app/contacts?columns=name,customer,title`,
      `/app/contacts/${contact.body.id}`,
      `/search?q=${encodeURIComponent('script')}`,
    ];
    for (const path of pages) {
      const res = await rep.get(path);
      expect([path, res.status]).toEqual([path, 200]);
      if (path.includes('/tabs/')) {
        expect(res.text).not.toContain('<script>alert');
        expect(res.text).not.toContain('<img src=x');
        expect(res.text).toContain('&lt;script&gt;alert(1)');
      } else {
        expectSafe(res.text);
        expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      }
    }
    // The page's JSON still carries the text itself, for scripts to use as text.
    const list = pageData((await rep.get('/app/customers?columns=name,xText')).text);
    expect(JSON.stringify(list.available)).toContain('<script>alert(1)</script>');
  });

  it('no record outside the viewer\'s scope reaches the HTML: lists, searches and record pages', async () => {
    const mine = org.customers.filter((c) => c.owner === org.users.rep1.id);
    const others = org.customers.filter((c) => c.owner !== org.users.rep1.id);
    const rep = await client('rep1');
    const list = (await rep.get('/app/customers?size=100&columns=customerNo,name')).text;
    const numbers = [...list.matchAll(/C000000\d\d/g)].map((m) => m[0]);
    const expected = (await t.api.get(`/api/v1/customers?limit=100&fields=customerNo&filter[owner]=${org.users.rep1.id}`)).body.data.map((c: { customerNo: string }) => c.customerNo).filter((n: string) => /^C000000\d\d$/.test(n));
    expect(new Set(numbers)).toEqual(new Set(expected));
    expect(expected.length).toBe(mine.length);
    const other = await rep.get(`/app/customers/${others[0].id}`);
    expect(other.status).toBe(404);
    expect(other.text).not.toContain(`客户${org.customers.indexOf(others[0]) + 1}<`);
    const search = (await rep.get(`/search?q=${encodeURIComponent('客户')}`)).text;
    for (const c of others.slice(0, 10)) expect(search).not.toContain(`/app/customers/${c.id}"`);
    // The department manager sees the department's records, not the other branch's.
    const manager = await client('shSalesMgr');
    const managed = (await manager.get('/app/customers?size=100&columns=customerNo')).text;
    const gz = org.customers.filter((c) => c.department === org.departments.gzSales);
    expect(gz.length).toBeGreaterThan(0);
    for (const c of gz) expect(managed).not.toContain(`/app/customers/${c.id}"`);
    const sh = org.customers.filter((c) => [org.departments.shTeam1, org.departments.shTeam2, org.departments.shSales].includes(c.department));
    for (const c of sh.slice(0, 10)) expect(managed).toContain(`/app/customers/${c.id}"`);
  });

  it('labels follow the user\'s language; the theme is the user\'s choice', async () => {
    const rep = await client('rep2');
    expect((await rep.get('/app/customers')).text).toContain('<h1>客户');
    const me = await rep.api('GET', '/api/v1/me/profile');
    expect(me.status).toBe(200);
    const changed = await rep.api('PATCH', '/api/v1/me/profile', { language: 'en', theme: 'dark', version: me.body.version });
    expect(changed.status).toBe(200);
    const html = (await rep.get('/app/customers')).text;
    expect(html).toContain('<html lang="en" data-theme="dark">');
    expect(html).toContain('<h1>Customer');
    expect(html).toMatch(/\/assets\/dark\/[0-9a-f]{12}\/css\/theme\.css/);
    expect((await rep.api('PATCH', '/api/v1/me/profile', { theme: 'neon', version: changed.body.version })).body.errors[0]).toMatchObject({ field: 'theme', rule: 'enum' });
    expect((await rep.api('PATCH', '/api/v1/me/profile', { isAdmin: true, version: changed.body.version })).body.errors[0]).toMatchObject({ field: 'isAdmin', rule: 'unknown' });
    const tw = await rep.api('PATCH', '/api/v1/me/profile', { language: 'zh-TW', version: changed.body.version });
    expect(tw.status).toBe(200);
    expect((await rep.get('/app/customers')).text).toContain('<h1>客戶');
  });

  it('theme assets: versioned URLs, cached for a year, gzip when accepted; nothing outside the theme', async () => {
    const rep = await client('rep3');
    const html = (await rep.get('/')).text;
    const css = /href="(\/assets\/default\/[0-9a-f]{12}\/css\/app\.css)"/.exec(html)![1];
    const res = await fetch(t.platform.url + css, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('content-type')).toContain('text/css');
    expect((await res.text()).length).toBeGreaterThan(1000);
    for (const bad of ['/assets/default/x/../../package.json', '/assets/default/x/theme.json', '/assets/nope/x/css/app.css', '/assets/default/x/css/missing.css']) {
      expect([bad, (await fetch(t.platform.url + bad)).status]).toEqual([bad, 404]);
    }
  });

  it('a record page shows related tabs with counts and the history without fields hidden from the viewer', async () => {
    const c = (await t.api.post('/api/v1/customers', { customerNo: 'C66600009', name: '服务客户', kind: 'person', department: org.departments.shService })).body as { id: number };
    await t.api.post('/api/v1/contacts', { customer: c.id, name: '联系人一', department: org.departments.shService });
    const current = await t.api.get(`/api/v1/customers/${c.id}`);
    await t.api.patch(`/api/v1/customers/${c.id}`, { establishedValue: 123456, city: '苏州', version: current.body.version });
    const svc = await client('svc1');
    const page = await svc.get(`/app/customers/${c.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-testid="count-contacts">1</);
    // establishedValue is hidden from service representatives: not in the page, not in the history.
    expect(page.text).not.toContain('data-field="establishedValue"');
    const history = (await svc.get(`/app/customers/${c.id}/tabs/history`)).text;
    expect(history).toContain('苏州');
    // References to departments and users are named, not numbered.
    expect(history).toContain('上海客服部');
    expect(history).not.toMatch(/class="(before|after)">#\d/);
    expect(history).not.toContain('123456');
    expect(history).not.toContain('123,456');
  });

  it('attachments: the files of a record\'s file fields are listed by name and download for anyone who can read the record', async () => {
    expect((await t.api.post('/api/v1/meta/entities/customer/custom-fields', { name: 'docs', type: 'files', label: { 'zh-CN': '资料', en: 'Documents' } })).status).toBe(201);
    const upload = await t.api.request('POST', '/api/v1/files', '保单扫描件内容', { 'content-type': 'text/plain', 'x-file-name': encodeURIComponent('保单扫描件.txt') });
    const customer = org.customers.find((c) => c.owner === org.users.rep2.id)!;
    const current = await t.api.get(`/api/v1/customers/${customer.id}`);
    expect((await t.api.patch(`/api/v1/customers/${customer.id}`, { docs: [upload.body.id], version: current.body.version })).status).toBe(200);
    const rep = await client('rep2');
    const html = (await rep.get(`/app/customers/${customer.id}`)).text;
    expect(html).toContain('data-testid="tab-attachments"');
    const link = `/api/v1/customers/${customer.id}/files/${upload.body.id}`;
    expect(html).toContain(`<a href="${link}" download>保单扫描件.txt</a>`);
    const file = await rep.get(link);
    expect(file.status).toBe(200);
    expect(file.text).toBe('保单扫描件内容');
    // Fields come in the entity's sections; a custom field in the last one.
    const form = (await rep.get(`/app/customers/${customer.id}/edit`)).text;
    const at = (marker: string) => form.indexOf(marker);
    expect(at('data-section="identity"')).toBeGreaterThan(0);
    expect(at('data-section="identity"')).toBeLessThan(at('data-field="customerNo"'));
    expect(at('data-field="customerNo"')).toBeLessThan(at('data-section="contact"'));
    expect(at('data-section="other"')).toBeLessThan(at('data-field="docs"'));
    expect(html.indexOf('data-section="value"')).toBeLessThan(html.indexOf('data-section="other"'));
    // The uploader's own download route stays the uploader's.
    expect((await rep.get(`/api/v1/files/${upload.body.id}`)).status).toBe(404);
  });
});
