import { Api, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { buildOrg, type OrgFixture } from '../support/org';

type Tab = { key: string; label: { en: string }; entity: string; plural: string; foreignKey: string; count: number; order: number };

describeEachDatabase('related tabs', (db) => {
  let t: TestPlatform;
  let org: OrgFixture;
  /** A customer of rep1 (department shTeam1) with contacts owned across departments, and a second one. */
  let customer: number;
  let otherCustomer: number;
  const user = (name: string) => org.users[name];

  const tabs = async (api: Api, id = customer): Promise<Tab[]> => {
    const res = await api.get(`/api/v1/customers/${id}/related`);
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data;
  };
  const contactsCount = async (api: Api, id = customer) => (await tabs(api, id)).find((x) => x.key === 'contacts')?.count;

  beforeAll(async () => {
    t = await startTestPlatform(db);
    org = await buildOrg(t, 30, ['rep1', 'rep2', 'shSalesMgr', 'auditor', 'gzRep1', 'svc1', 'nobody']);
    const mine = org.customers.filter((c) => c.owner === user('rep1').id);
    customer = mine[0].id;
    otherCustomer = mine[1].id;
    const contact = (customerId: number, name: string, owner: string, extra: Record<string, unknown> = {}) =>
      t.api.post('/api/v1/contacts', { customer: customerId, name, owner: user(owner).id, department: user(owner).department, ...extra }).then((r) => {
        if (r.status !== 201) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
      });
    for (const [i, name] of ['张一', '张二', '李三'].entries()) await contact(customer, name, 'rep1', { isPrimary: i === 0 });
    for (const name of ['王四', '王五']) await contact(customer, name, 'rep2');
    await contact(customer, '赵六', 'gzRep1');
    await contact(otherCustomer, '钱七', 'rep1');
  }, 120_000);
  afterAll(async () => t?.stop());

  describe('GET /{plural}/{id}/related', () => {
    it('lists the plugin-declared tab with label, target, plural and the full count for an administrator', async () => {
      const list = await tabs(t.api);
      expect(list).toEqual([{ key: 'contacts', label: { 'zh-CN': '联系人', en: 'Contacts', 'zh-TW': '聯絡人' }, entity: 'contact', plural: 'contacts', foreignKey: 'customer', count: 6, order: 10 }]);
      expect(await contactsCount(t.api, otherCustomer)).toBe(1);
    });

    it('counts only what each user may read', async () => {
      expect(await contactsCount(user('rep1').api)).toBe(3); // own
      expect(await contactsCount(user('shSalesMgr').api)).toBe(5); // shSales and below: rep1's and rep2's
      expect(await contactsCount(user('auditor').api)).toBe(6); // all
    });

    it('is 404 for a record the caller cannot read, even when they own some of its related records', async () => {
      for (const name of ['rep2', 'gzRep1', 'svc1']) {
        const res = await user(name).api.get(`/api/v1/customers/${customer}/related`);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not-found');
      }
      expect((await t.api.get('/api/v1/customers/99999999/related')).status).toBe(404);
      expect((await t.api.get('/api/v1/nothings/1/related')).status).toBe(404);
      expect((await user('nobody').api.get(`/api/v1/customers/${customer}/related`)).status).toBe(403);
    });

    it('is described in the OpenAPI document', async () => {
      const doc = (await t.api.get('/api/v1/openapi.json')).body;
      expect(doc.paths['/api/v1/customers/{id}/related'].get.responses[200]).toBeDefined();
      expect(doc.paths['/api/v1/customers/{id}/related/{key}'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['id', 'key', 'filter', 'cursor']));
      expect(doc.components.schemas.RelatedTabSummary.required).toContain('count');
    });

    it('refuses query parameters and bad ids with 400', async () => {
      expect((await t.api.get(`/api/v1/customers/${customer}/related?limit=5`)).body.errors[0]).toMatchObject({ field: 'limit', rule: 'unknown-parameter' });
      expect((await t.api.get('/api/v1/customers/abc/related')).status).toBe(400);
    });
  });

  describe('GET /{plural}/{id}/related/{key}', () => {
    const names = (body: { data: { name: string }[] }) => body.data.map((c) => c.name);

    it('lists the tab restricted to the record and to what the caller may read', async () => {
      const all = await t.api.get(`/api/v1/customers/${customer}/related/contacts?sort=name&fields=name,customer&count=true`);
      expect(all.status).toBe(200);
      expect(all.body.meta.total).toBe(6);
      expect(all.body.data.every((c: { customer: number }) => c.customer === customer)).toBe(true);
      const mine = await user('rep1').api.get(`/api/v1/customers/${customer}/related/contacts?sort=name&count=true`);
      expect(mine.body.meta.total).toBe(3);
      expect(names(mine.body).sort()).toEqual(['张一', '张二', '李三'].sort());
    });

    it('takes filters, sorting, fields, expansions and cursors', async () => {
      const filtered = await t.api.get(`/api/v1/customers/${customer}/related/contacts?filter[name][startsWith]=王&fields=name,customer.name&expand=customer&sort=-name`);
      expect(filtered.status).toBe(200);
      const ascending = await t.api.get(`/api/v1/customers/${customer}/related/contacts?filter[name][startsWith]=王&fields=name&sort=name`);
      expect(names(filtered.body)).toEqual(names(ascending.body).reverse());
      expect(names(filtered.body).sort()).toEqual(['王五', '王四'].sort());
      expect(filtered.body.data[0].customer).toEqual({ id: customer, name: expect.any(String) });
      const json = await t.api.get(`/api/v1/customers/${customer}/related/contacts?filter=${encodeURIComponent(JSON.stringify({ isPrimary: true }))}`);
      expect(names(json.body)).toEqual(['张一']);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { status: number; body: { data: { name: string }[]; meta: { nextCursor: string | null } } } = await t.api.get(
          `/api/v1/customers/${customer}/related/contacts?limit=4&sort=name&fields=name${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        seen.push(...names(res.body));
        cursor = res.body.meta.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(2);
      expect(seen).toHaveLength(6);
      expect(new Set(seen).size).toBe(6);
    });

    it('holds API tokens to their scopes on the tab’s entity too', async () => {
      const token = async (scopes: string[]) => {
        const res = await user('rep1').api.post('/api/v1/auth/tokens', { name: `t-${scopes.join('-')}`, scopes });
        expect(res.status).toBe(201);
        const api = new Api(t.platform.url);
        api.token = res.body.token;
        return api;
      };
      const customersOnly = await token(['customer:read']);
      expect((await customersOnly.get(`/api/v1/customers/${customer}/related`)).body.data).toEqual([]);
      const denied = await customersOnly.get(`/api/v1/customers/${customer}/related/contacts`);
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe('insufficient-scope');
      const both = await token(['customer:read', 'contact:read']);
      expect(await contactsCount(both)).toBe(3);
      expect((await both.get(`/api/v1/customers/${customer}/related/contacts`)).body.data).toHaveLength(3);
    });

    it('cannot be widened by the caller’s filter', async () => {
      const escape = encodeURIComponent(JSON.stringify({ or: [{ customer: otherCustomer }, { name: '钱七' }] }));
      const res = await t.api.get(`/api/v1/customers/${customer}/related/contacts?filter=${escape}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([]);
    });

    it('answers 404 for an unknown tab or an unreadable record, 400 for a bad query', async () => {
      expect((await t.api.get(`/api/v1/customers/${customer}/related/orders`)).status).toBe(404);
      expect((await user('rep2').api.get(`/api/v1/customers/${customer}/related/contacts`)).status).toBe(404);
      const bad = await t.api.get(`/api/v1/customers/${customer}/related/contacts?sort=nothing`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ field: 'sort', rule: 'unknown-field' });
    });
  });

  describe('administrators’ tabs and overlays', () => {
    it('adds a tab on a reference field and counts it per record', async () => {
      const made = await t.api.post('/api/v1/relatedTabs', { entity: 'user', key: 'reports', target: 'user', foreignKey: 'superior', label: { 'zh-CN': '直接下属', en: 'Direct reports' }, order: 1 });
      expect(made.status).toBe(201);
      const res = await t.api.get(`/api/v1/users/${user('shSalesMgr').id}/related`);
      expect(res.status).toBe(200);
      // lead1, rep3, shRep5 report to shSalesMgr (test/support/org.ts)
      expect(res.body.data).toEqual([{ key: 'reports', label: { 'zh-CN': '直接下属', en: 'Direct reports' }, entity: 'user', plural: 'users', foreignKey: 'superior', count: 3, order: 1 }]);
      const list = await user('rep1').api.get(`/api/v1/users/${user('shSalesMgr').id}/related/reports?sort=username&fields=username`);
      expect(list.status).toBe(200);
      expect(list.body.data.map((u: { username: string }) => u.username)).toEqual(['lead1', 'rep3', 'shRep5']);
      const none = await t.api.get(`/api/v1/users/${user('rep1').id}/related`);
      expect(none.body.data[0].count).toBe(0);
    });

    it('adds a tab on a custom reference field, and drops it for users once the field is removed', async () => {
      const CF = '/api/v1/meta/entities/contact/custom-fields';
      const field = await t.api.post(CF, { name: 'referredBy', type: 'reference', target: 'customer', label: { 'zh-CN': '推荐客户', en: 'Referred by' } });
      expect(field.status).toBe(201);
      for (const [i, owner] of ['rep1', 'rep1', 'rep2'].entries()) {
        const c = await t.api.post('/api/v1/contacts', { customer: otherCustomer, name: `被推荐${i}`, referredBy: customer, owner: user(owner).id, department: user(owner).department });
        expect(c.status).toBe(201);
      }
      const tab = await t.api.post('/api/v1/relatedTabs', { entity: 'customer', key: 'referrals', target: 'contact', foreignKey: 'referredBy', order: 20 });
      expect(tab.status).toBe(201);
      const count = async (api: Api) => (await tabs(api)).find((x) => x.key === 'referrals')?.count;
      expect(await count(t.api)).toBe(3);
      expect(await count(user('rep1').api)).toBe(2);
      expect((await tabs(t.api)).find((x) => x.key === 'referrals')).toMatchObject({ label: { en: 'Contact' }, entity: 'contact', foreignKey: 'referredBy' });
      const list = await user('rep1').api.get(`/api/v1/customers/${customer}/related/referrals?sort=name&fields=name`);
      expect(list.body.data.map((c: { name: string }) => c.name)).toEqual(['被推荐0', '被推荐1']);

      const removed = await t.api.delete(`${CF}/referredBy?version=${field.body.version}`);
      expect(removed.status).toBe(200);
      expect((await tabs(t.api)).map((x) => x.key)).toEqual(['contacts']);
      expect((await t.api.get(`/api/v1/customers/${customer}/related/referrals`)).status).toBe(404);
      const admin = (await t.api.get('/api/v1/related-tabs/customer')).body.data.find((x: { key: string }) => x.key === 'referrals');
      expect(admin).toMatchObject({ source: 'admin', target: 'contact', foreignKey: 'referredBy', valid: false });
      expect((await t.api.delete(`/api/v1/relatedTabs/${tab.body.id}`)).status).toBe(204);
    });

    it('refuses bad definitions with 400 naming the field, and writes nothing', async () => {
      const cases: [Record<string, unknown>, string, string][] = [
        [{ entity: 'nothing', key: 'x' }, 'entity', 'reference'],
        [{ entity: 'customer', key: 'orders' }, 'target', 'required'],
        [{ entity: 'customer', key: 'orders', target: 'order', foreignKey: 'customer' }, 'target', 'reference'],
        [{ entity: 'customer', key: 'notes', target: 'contact', foreignKey: 'nothing' }, 'foreignKey', 'reference'],
        [{ entity: 'user', key: 'holders', target: 'user', foreignKey: 'position' }, 'foreignKey', 'reference'],
        [{ entity: 'customer', key: 'contacts', target: 'user', order: 1 }, 'target', 'overlay'],
        [{ entity: 'customer', key: 'Bad Key', target: 'contact', foreignKey: 'customer' }, 'key', 'pattern'],
        [{ entity: 'customer', key: 'people', target: 'contact', foreignKey: 'customer', label: { en: 'People' } }, 'label.zh-CN', 'required'],
      ];
      for (const [body, field, rule] of cases) {
        const res = await t.api.post('/api/v1/relatedTabs', body);
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
      }
      const stored = await t.api.get('/api/v1/relatedTabs?filter[entity]=customer&count=true');
      expect(stored.body.meta.total).toBe(0);
      // an update is checked on the merged record too
      const tab = (await t.api.get('/api/v1/relatedTabs?filter[key]=reports')).body.data[0];
      const bad = await t.api.patch(`/api/v1/relatedTabs/${tab.id}`, { foreignKey: 'position', version: tab.version });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ field: 'foreignKey' });
    });

    it('only administrators write tabs', async () => {
      const res = await user('shSalesMgr').api.post('/api/v1/relatedTabs', { entity: 'customer', key: 'mine', target: 'contact', foreignKey: 'customer' });
      expect(res.status).toBe(403);
      expect((await user('rep1').api.get('/api/v1/related-tabs/customer')).status).toBe(403);
    });

    it('renames, reorders and hides a plugin’s tab as an overlay that survives a restart', async () => {
      const overlay = await t.api.post('/api/v1/relatedTabs', { entity: 'customer', key: 'contacts', label: { 'zh-CN': '家庭成员', en: 'Family' }, order: 3 });
      expect(overlay.status).toBe(201);
      const renamed = (await tabs(user('rep1').api))[0];
      expect(renamed).toMatchObject({ key: 'contacts', label: { en: 'Family' }, order: 3, entity: 'contact', count: 3 });

      const extra = await t.api.post('/api/v1/relatedTabs', { entity: 'customer', key: 'primary-contacts', target: 'contact', foreignKey: 'customer', label: { 'zh-CN': '主联系人', en: 'Primary' }, order: 2 });
      expect(extra.status).toBe(201);
      expect((await tabs(t.api)).map((x) => [x.key, x.count])).toEqual([['primary-contacts', 6], ['contacts', 6]]);

      const hide = await t.api.patch(`/api/v1/relatedTabs/${overlay.body.id}`, { hidden: true, version: overlay.body.version });
      expect(hide.status).toBe(200);
      expect((await tabs(t.api)).map((x) => x.key)).toEqual(['primary-contacts']);
      expect((await t.api.get(`/api/v1/customers/${customer}/related/contacts`)).status).toBe(404);

      const admin = await t.api.get('/api/v1/related-tabs/customer');
      expect(admin.status).toBe(200);
      expect(admin.body.data).toEqual([
        { key: 'primary-contacts', label: { 'zh-CN': '主联系人', en: 'Primary' }, order: 2, hidden: false, source: 'admin', plugin: null, overlayId: extra.body.id, target: 'contact', foreignKey: 'customer', valid: true },
        { key: 'contacts', label: { 'zh-CN': '家庭成员', en: 'Family' }, order: 3, hidden: true, source: 'plugin', plugin: 'contacts', overlayId: overlay.body.id, target: 'contact', foreignKey: 'customer', valid: true },
      ]);

      t = await t.restart();
      const again = await t.api.get('/api/v1/related-tabs/customer');
      expect(again.body.data.map((x: { key: string; hidden: boolean }) => [x.key, x.hidden])).toEqual([['primary-contacts', false], ['contacts', true]]);

      // removing the overlay brings the plugin's tab back as declared
      expect((await t.api.delete(`/api/v1/relatedTabs/${overlay.body.id}`)).status).toBe(204);
      expect((await t.api.delete(`/api/v1/relatedTabs/${extra.body.id}`)).status).toBe(204);
      expect((await tabs(t.api)).map((x) => [x.key, x.label.en, x.order])).toEqual([['contacts', 'Contacts', 10]]);
    });
  });
});
