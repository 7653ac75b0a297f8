import { describeEachDatabase, startTestPlatform, type Api, type TestPlatform } from '../support/platform';
import { buildOrg, type OrgFixture } from '../support/org';

/** Every id the caller can list, walking all pages. */
async function visibleIds(api: Api, resource: string, qs = ''): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: { data: { id: number }[]; meta: { nextCursor: string | null } } } = await api.get(`/api/v1/${resource}?limit=500&fields=id&sort=id${qs}${cursor ? `&cursor=${cursor}` : ''}`);
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    ids.push(...res.body.data.map((r) => r.id));
    cursor = res.body.meta.nextCursor;
  } while (cursor);
  return ids;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describeEachDatabase('data scopes', (db) => {
  let t: TestPlatform;
  let org: OrgFixture;
  const customersWhere = (pred: (c: OrgFixture['customers'][number]) => boolean) => sorted(org.customers.filter(pred).map((c) => c.id));
  const user = (name: string) => org.users[name];
  const deptOf = (name: string) => user(name).department;
  /** A customer of `name` that no test shares (sharing uses each owner's first). */
  const lastOf = (name: string) => org.customers.filter((c) => c.owner === user(name).id).at(-1)!;

  beforeAll(async () => {
    t = await startTestPlatform(db);
    org = await buildOrg(t, 2000);
  }, 120_000);
  afterAll(async () => t?.stop());

  it('own: a sales rep sees exactly the customers they own', async () => {
    for (const name of ['rep1', 'rep4', 'gzRep1']) {
      expect(await visibleIds(user(name).api, 'customers')).toEqual(customersWhere((c) => c.owner === user(name).id));
    }
  });

  it('departmentTree: a department manager sees their department and the units below it', async () => {
    const tree = [org.departments.shSales, org.departments.shTeam1, org.departments.shTeam2];
    expect(await visibleIds(user('shSalesMgr').api, 'customers')).toEqual(customersWhere((c) => tree.includes(c.department)));
  });

  it('branch: a branch administrator sees every department of the branch and nothing of the other', async () => {
    const sh = [org.departments.sh, org.departments.shSales, org.departments.shTeam1, org.departments.shTeam2, org.departments.shService];
    const seen = await visibleIds(user('shAdmin').api, 'customers');
    expect(seen).toEqual(customersWhere((c) => sh.includes(c.department)));
    expect(seen.length).toBeGreaterThan(0);
  });

  it('all: an auditor reads everything (and cannot write)', async () => {
    expect((await visibleIds(user('auditor').api, 'customers')).length).toBe(2000);
    const res = await user('auditor').api.patch(`/api/v1/customers/${org.customers[0].id}`, { city: '天津', version: 1 });
    expect(res.status).toBe(403);
  });

  it('no role: nothing at all, with 403 on the collection', async () => {
    const res = await user('nobody').api.get('/api/v1/customers');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
  });

  describe('grants made by an administrator at runtime', () => {
    const grantRole = async (code: string, scope: unknown, users: string[], extra: Record<string, unknown> = {}) => {
      const role = await t.api.post('/api/v1/roles', { code, name: code });
      expect(role.status).toBe(201);
      expect((await t.api.post('/api/v1/roleGrants', { role: role.body.id, entity: 'customer', actions: ['read'], scope, ...extra })).status).toBe(201);
      for (const u of users) expect((await t.api.post('/api/v1/userRoles', { user: user(u).id, role: role.body.id })).status).toBe(201);
    };

    it('subordinates: a team lead sees their own and their reports’ customers, transitively', async () => {
      await grantRole('teamLead', 'subordinates', ['shSalesMgr', 'lead1', 'rep3']);
      const below = (name: string) => {
        const out = new Set([user(name).id]);
        const tree: Record<string, string[]> = { shSalesMgr: ['lead1', 'rep3', 'shRep5'], lead1: ['rep1', 'rep2'], rep3: ['rep4'] };
        const walk = (n: string) => (tree[n] ?? []).forEach((c) => { out.add(user(c).id); walk(c); });
        walk(name);
        return out;
      };
      // lead1 is a sales rep (own) + team lead (subordinates): the union.
      expect(await visibleIds(user('lead1').api, 'customers')).toEqual(customersWhere((c) => below('lead1').has(c.owner)));
      expect(await visibleIds(user('rep3').api, 'customers')).toEqual(customersWhere((c) => below('rep3').has(c.owner)));
      const mgrTree = [org.departments.shSales, org.departments.shTeam1, org.departments.shTeam2];
      expect(await visibleIds(user('shSalesMgr').api, 'customers')).toEqual(customersWhere((c) => mgrTree.includes(c.department) || below('shSalesMgr').has(c.owner)));
    });

    it('department (exact) and a filter condition with $user combine as a union', async () => {
      await grantRole('teamDesk', 'department', ['rep2']);
      await grantRole('vipDesk', { filter: { level: 'vip', city: '杭州' } }, ['rep2']);
      expect(await visibleIds(user('rep2').api, 'customers')).toEqual(
        customersWhere((c) => c.owner === user('rep2').id || c.department === deptOf('rep2') || (c.level === 'vip' && c.city === '杭州')),
      );
    });

    it('a filter scope with $department', async () => {
      await grantRole('myDept', { filter: { department: '$department' } }, ['gzRep2']);
      expect(await visibleIds(user('gzRep2').api, 'customers')).toEqual(customersWhere((c) => c.department === deptOf('gzRep2')));
    });
  });

  describe('sharing', () => {
    it('shares a record with a user (read only unless canUpdate), and with a department', async () => {
      const target = org.customers.find((c) => c.owner === user('gzRep1').id)!;
      expect((await user('rep1').api.get(`/api/v1/customers/${target.id}`)).status).toBe(404);
      expect((await t.api.post('/api/v1/shares', { entity: 'customer', recordId: target.id, toUser: user('rep1').id })).status).toBe(201);
      const got = await user('rep1').api.get(`/api/v1/customers/${target.id}`);
      expect(got.status).toBe(200);
      expect((await user('rep1').api.patch(`/api/v1/customers/${target.id}`, { city: '成都', version: got.body.version })).status).toBe(403);
      const other = org.customers.find((c) => c.owner === user('gzRep2').id)!;
      await t.api.post('/api/v1/shares', { entity: 'customer', recordId: other.id, toDepartment: deptOf('rep4'), canUpdate: true });
      const v = (await user('rep4').api.get(`/api/v1/customers/${other.id}`)).body.version;
      expect((await user('rep4').api.patch(`/api/v1/customers/${other.id}`, { city: '成都', version: v })).status).toBe(200);
      expect((await user('rep1').api.get(`/api/v1/customers/${other.id}`)).status).toBe(404);
    });
  });

  describe('field rules', () => {
    it('hides fields from a service rep everywhere: output, filters, sorts, field selection', async () => {
      const api = user('svc2').api;
      const list = await api.get('/api/v1/customers?limit=5');
      expect(list.status).toBe(200);
      for (const c of list.body.data) {
        expect(c).not.toHaveProperty('idNumber');
        expect(c).not.toHaveProperty('establishedValue');
        expect(c).toHaveProperty('city');
      }
      for (const qs of ['filter[idNumber][startsWith]=310', 'sort=establishedValue', 'fields=name,idNumber', 'filter={"establishedValue":{"gt":100}}']) {
        const res = await api.get(`/api/v1/customers?${qs.replace(/[{}":]/g, encodeURIComponent)}`);
        expect(res.status).toBe(400);
        expect(res.body.errors[0].rule).toBe('unknown-field');
      }
    });

    it('refuses writes to read-only fields with 403 naming them, and allows the rest', async () => {
      const api = user('svc1').api;
      const mine = (await api.get('/api/v1/customers?limit=1')).body.data;
      if (mine.length === 0) {
        // svc1's department holds no customers in the fixture: give it one.
        const c = org.customers.find((x) => x.owner === user('rep1').id)!;
        await t.api.patch(`/api/v1/customers/${c.id}`, { department: deptOf('svc1'), version: 1 });
      }
      const c = (await api.get('/api/v1/customers?limit=1')).body.data[0];
      const denied = await api.patch(`/api/v1/customers/${c.id}`, { level: 'vip', version: c.version });
      expect(denied.status).toBe(403);
      expect(denied.body.errors).toEqual([expect.objectContaining({ field: 'level', rule: 'forbidden' })]);
      const allowed = await api.patch(`/api/v1/customers/${c.id}`, { mobile: '13800000000', version: c.version });
      expect(allowed.status).toBe(200);
      expect(allowed.body).not.toHaveProperty('idNumber');
    });

    it('gives a user with two roles the wider rights of either', async () => {
      // multi is a sales rep (own, all fields) and a service rep (department tree, hidden values).
      const own = org.customers.find((c) => c.owner === user('multi').id)!;
      const res = await user('multi').api.get(`/api/v1/customers/${own.id}`);
      expect(res.body).toHaveProperty('idNumber');
    });
  });

  describe('writes outside the scope', () => {
    it('answers 404 for records the user cannot read (no existence leak) and 403 for readable but not writable ones', async () => {
      const foreign = lastOf('gzRep1');
      for (const [method, body] of [['GET', undefined], ['PATCH', { city: 'x', version: 1 }]] as const) {
        const res = await user('rep1').api.request(method, `/api/v1/customers/${foreign.id}`, body);
        expect(res.status).toBe(404);
      }
      // rep1 may delete contacts in general, so a foreign contact is 404 too; customers they may not delete at all (403 for any id).
      const foreignContact = await t.api.post('/api/v1/contacts', { customer: foreign.id, name: 'x', owner: user('gzRep1').id, department: deptOf('gzRep1') });
      expect((await user('rep1').api.delete(`/api/v1/contacts/${foreignContact.body.id}`)).status).toBe(404);
      expect((await user('rep1').api.delete(`/api/v1/customers/${foreign.id}`)).status).toBe(403);
      expect((await user('rep1').api.delete('/api/v1/customers/999999')).status).toBe(403);
      const mgrCustomer = org.customers.find((c) => c.owner === user('rep1').id)!;
      const v = (await user('auditor').api.get(`/api/v1/customers/${mgrCustomer.id}`)).body.version;
      expect((await user('auditor').api.delete(`/api/v1/customers/${mgrCustomer.id}`)).status).toBe(403);
      expect((await t.api.get(`/api/v1/customers/${mgrCustomer.id}`)).body.version).toBe(v);
    });

    it('refuses to create or move a record outside the scope (owner or department of someone else)', async () => {
      const api = user('rep1').api;
      const base = { customerNo: 'C90000001', name: 'x', kind: 'person', status: 'active' };
      const forOther = await api.post('/api/v1/customers', { ...base, owner: user('rep2').id });
      expect(forOther.status).toBe(403);
      const created = await api.post('/api/v1/customers', base);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ owner: user('rep1').id, department: deptOf('rep1') });
      const move = await api.patch(`/api/v1/customers/${created.body.id}`, { owner: user('rep2').id, version: 1 });
      expect(move.status).toBe(403);
      expect((await api.get(`/api/v1/customers/${created.body.id}`)).body.owner).toBe(user('rep1').id);
      const gzDept = await user('shAdmin').api.post('/api/v1/customers', { ...base, customerNo: 'C90000002', department: org.departments.gzSales });
      expect(gzDept.status).toBe(403);
      expect((await t.api.get('/api/v1/customers?filter[customerNo]=C90000002&count=true')).body.meta.total).toBe(0);
    });

    it('applies the scope to every record of a bulk request, all or nothing', async () => {
      const api = user('rep1').api;
      const res = await api.post('/api/v1/customers/bulk', { create: [{ customerNo: 'C90000010', name: 'a', kind: 'person', status: 'active' }, { customerNo: 'C90000011', name: 'b', kind: 'person', status: 'active', owner: user('rep2').id }] });
      expect(res.status).toBe(403);
      expect((await t.api.get('/api/v1/customers?filter[customerNo][in]=C90000010,C90000011&count=true')).body.meta.total).toBe(0);
    });
  });

  describe('relations do not reveal unreadable records', () => {
    let hiddenCustomer: OrgFixture['customers'][number];
    let contactId: number;
    beforeAll(async () => {
      hiddenCustomer = org.customers.filter((c) => c.owner === user('gzRep1').id).at(-2)!;
      await t.api.patch(`/api/v1/customers/${hiddenCustomer.id}`, { name: '秘密客户', version: 1 });
      // An admin files a contact owned by rep1 under a customer rep1 cannot read.
      const contact = await t.api.post('/api/v1/contacts', { customer: hiddenCustomer.id, name: '张三', owner: user('rep1').id, department: deptOf('rep1') });
      contactId = contact.body.id;
    });

    it('expanding the reference yields null', async () => {
      const res = await user('rep1').api.get(`/api/v1/contacts/${contactId}?expand=customer`);
      expect(res.status).toBe(200);
      expect(res.body.customer).toBeNull();
    });

    it('filtering through the reference finds nothing, whatever the condition', async () => {
      for (const f of [{ 'customer.name': '秘密客户' }, { 'customer.name': { startsWith: '秘' } }, { 'customer.id': hiddenCustomer.id }]) {
        const res = await user('rep1').api.get(`/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify(f))}`);
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual([]);
      }
    });

    it('a reference to an unreadable record is refused like one to nothing', async () => {
      const res = await user('rep1').api.post('/api/v1/contacts', { customer: hiddenCustomer.id, name: 'x' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'customer', rule: 'reference' })]);
    });

    it('a collection expansion lists only readable records', async () => {
      const own = org.customers.find((c) => c.owner === user('rep1').id)!;
      await t.api.post('/api/v1/contacts', { customer: own.id, name: 'mine', owner: user('rep1').id });
      await t.api.post('/api/v1/contacts', { customer: own.id, name: 'theirs', owner: user('gzRep1').id, department: deptOf('gzRep1') });
      const res = await user('rep1').api.get(`/api/v1/customers/${own.id}?expand=contacts&fields=contacts.name`);
      expect(res.body.contacts.map((c: { name: string }) => c.name)).toEqual(['mine']);
    });
  });

  describe('privilege escalation and mass assignment', () => {
    it('nobody but a system administrator can grant roles or rights', async () => {
      for (const name of ['rep1', 'shAdmin', 'shSalesMgr']) {
        const api = user(name).api;
        expect((await api.post('/api/v1/userRoles', { user: user(name).id, role: org.roles.admin })).status).toBe(403);
        expect((await api.post('/api/v1/roleGrants', { role: org.roles.salesRep, entity: 'customer', actions: ['read'], scope: 'all' })).status).toBe(403);
      }
      const self = await user('shAdmin').api.get(`/api/v1/users/${user('shAdmin').id}`);
      const res = await user('shAdmin').api.patch(`/api/v1/users/${user('shAdmin').id}`, { isAdmin: true, version: self.body.version });
      expect(res.status).toBe(403);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'isAdmin' })]);
      const rep = await user('rep1').api.patch(`/api/v1/users/${user('rep1').id}`, { displayName: 'x', version: 1 });
      expect(rep.status).toBe(403);
    });

    it('system fields cannot be mass-assigned', async () => {
      const res = await user('rep1').api.post('/api/v1/customers', { customerNo: 'C90000020', name: 'x', kind: 'person', status: 'active', id: 1, version: 9, createdBy: user('shAdmin').id });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['createdBy', 'id', 'version']);
    });
  });

  describe('the operation log', () => {
    it('records denials, mutations with before/after, and is readable only with the grant', async () => {
      const api = user('rep1').api;
      const c = await api.post('/api/v1/customers', { customerNo: 'C90000030', name: '审计', kind: 'person', status: 'active', idNumber: '110101199001011234' });
      await api.patch(`/api/v1/customers/${c.body.id}`, { name: '审计2', idNumber: '110101199001011235', version: 1 });
      const history = await api.get(`/api/v1/customers/${c.body.id}/history`);
      expect(history.status).toBe(200);
      expect(history.body.data.map((h: { action: string }) => h.action)).toEqual(['update', 'create']);
      expect(history.body.data[0]).toMatchObject({ userId: user('rep1').id, username: 'rep1', changes: { name: { before: '审计', after: '审计2' }, idNumber: { before: '***', after: '***' } }, requestId: expect.any(String) });
      expect(JSON.stringify(history.body)).not.toContain('110101199001011235');
      expect((await api.get('/api/v1/audit')).status).toBe(403);
      const log = await user('auditor').api.get(`/api/v1/audit?userId=${user('rep1').id}&action=denied`);
      expect(log.status).toBe(200);
      expect(log.body.data.length).toBeGreaterThan(0);
      expect(log.body.data[0].detail).toContain('/api/v1/audit');
      const foreign = lastOf('gzRep1');
      expect((await api.get(`/api/v1/customers/${foreign.id}/history`)).status).toBe(404);
    });

    it('leaves no audit row for a write that rolled back', async () => {
      const before = (await user('auditor').api.get('/api/v1/audit?entity=customer&action=create&limit=500')).body.data.length;
      const res = await user('rep1').api.post('/api/v1/customers/bulk', { create: [{ customerNo: 'C90000040', name: 'a', kind: 'person', status: 'active' }, { customerNo: 'C90000040', name: 'dup', kind: 'person', status: 'active' }] });
      expect(res.status).toBe(409);
      expect((await user('auditor').api.get('/api/v1/audit?entity=customer&action=create&limit=500')).body.data.length).toBe(before);
    });
  });
});
