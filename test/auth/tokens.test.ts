import { createHash } from 'node:crypto';
import { Api, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { auditRows, clientFor, createUser, expectNoSecretsInAudit } from './helpers';

const PASSWORD = 'Token-Test-Pass-1';
const customer = (n: number) => ({ customerNo: `C${String(n).padStart(8, '0')}`, name: `Token ${n}`, kind: 'person', status: 'active' });

describeEachDatabase('API tokens', (db) => {
  let t: TestPlatform;
  const secrets: string[] = [PASSWORD];
  const ids: Record<string, number> = {};
  let ivan: Api;

  /** Create a token with `api` and return a client that uses it. */
  async function tokenClient(api: Api, body: Record<string, unknown>): Promise<{ client: Api; id: number; body: any }> {
    const res = await api.post('/api/v1/auth/tokens', { name: 'test', ...body });
    if (res.status !== 201) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
    secrets.push(res.body.token);
    const client = new Api(t.platform.url);
    client.token = res.body.token;
    return { client, id: res.body.id, body: res.body };
  }

  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: ['customers', 'contacts'] });
    const roles = (await t.api.get('/api/v1/roles?limit=100')).body.data as { id: number; code: string }[];
    const role = (code: string) => roles.find((r) => r.code === code)!.id;
    for (const [name, code] of [['ivan', 'salesRep'], ['judy', 'auditor']] as const) {
      ids[name] = await createUser(t, name, PASSWORD);
      expect((await t.api.post('/api/v1/userRoles', { user: ids[name], role: role(code) })).status).toBe(201);
    }
    ivan = await clientFor(t, 'ivan', PASSWORD);
    expect((await t.api.post('/api/v1/customers', customer(1))).status).toBe(201);
  });
  afterAll(async () => t?.stop());
  afterEach(() => {
    t.platform.sessions.clock.offset = 0;
  });

  it('creates a named, scoped, expiring token whose secret is shown once and stored only as a hash', async () => {
    const { client, id, body } = await tokenClient(t.api, { name: 'nightly export', scopes: ['read'], expiresInDays: 30 });
    expect(body).toMatchObject({ id: expect.any(Number), name: 'nightly export', scopes: ['read'], status: 'active', lastUsedAt: null, revokedAt: null, userId: expect.any(Number) });
    expect(body.token).toMatch(/^plt_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);

    const list = await t.api.get('/api/v1/auth/tokens');
    const listed = list.body.data.find((x: { id: number }) => x.id === id);
    expect(listed).toMatchObject({ name: 'nightly export', status: 'active' });
    expect(listed.token).toBeUndefined();
    expect(JSON.stringify(list.body)).not.toContain(body.token);

    const rows = await t.platform.db.all<{ token_hash: string }>('SELECT * FROM plinth_api_tokens WHERE id = ?', [id]);
    expect(JSON.stringify(rows)).not.toContain(body.token);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(body.token).digest('hex'));

    expect((await client.get('/api/v1/auth/me')).body).toMatchObject({ username: 'admin', authType: 'token', tokenId: id, scopes: ['read'] });
  });

  it('a read token reads but cannot write, whatever the route', async () => {
    const { client } = await tokenClient(t.api, { scopes: ['read'] });
    expect((await client.get('/api/v1/customers')).status).toBe(200);
    expect((await client.post('/api/v1/customers/query', { limit: 1 })).status).toBe(200);
    const refused = [
      await client.post('/api/v1/customers', customer(2)),
      await client.patch('/api/v1/customers/1', { name: 'x', version: 1 }),
      await client.delete('/api/v1/customers/1'),
      await client.post('/api/v1/customers/bulk', { create: [customer(3)] }),
      await client.post('/api/v1/customers/1/restore'),
      await client.delete('/api/v1/customers/trash/1'),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('insufficient-scope');
    }
    expect((await t.api.get('/api/v1/customers/1')).body.name).toBe('Token 1');
  });

  it('entity scopes allow exactly the listed entities and actions', async () => {
    const { client } = await tokenClient(t.api, { scopes: ['customer:read', 'customer:create', 'contact:*'] });
    expect((await client.get('/api/v1/customers')).status).toBe(200);
    expect((await client.post('/api/v1/customers', customer(4))).status).toBe(201);
    expect((await client.post('/api/v1/customers/bulk', { create: [customer(5)] })).status).toBe(200);
    expect((await client.post('/api/v1/customers/bulk', { create: [customer(6)], delete: [1] })).body.code).toBe('insufficient-scope');
    expect((await client.patch('/api/v1/customers/1', { name: 'x', version: 1 })).body.code).toBe('insufficient-scope');
    expect((await client.get('/api/v1/contacts')).status).toBe(200);
    expect((await client.post('/api/v1/contacts', {})).status).toBe(400); // past the gate: the service validates
    expect((await client.get('/api/v1/users')).body.code).toBe('insufficient-scope');
    expect((await client.get('/api/v1/ext/customers/stats')).body.code).toBe('insufficient-scope');
  });

  it('needs read on every entity it expands, on lists, single records, queries and related tabs', async () => {
    const c = (await t.api.post('/api/v1/customers', customer(20))).body;
    const contact = (await t.api.post('/api/v1/contacts', { name: '联系人', customer: c.id })).body;
    const narrow = (await tokenClient(t.api, { scopes: ['customer:read'] })).client;
    const both = (await tokenClient(t.api, { scopes: ['customer:read', 'contact:read'] })).client;
    for (const url of [`/api/v1/customers?expand=contacts&filter[id]=${c.id}`, `/api/v1/customers/${c.id}?expand=contacts`, `/api/v1/contacts/${contact.id}?expand=customer`]) {
      const refused = await narrow.get(url);
      expect([refused.status, refused.body.code]).toEqual([403, 'insufficient-scope']);
      expect(refused.body.detail).toMatch(/contact|customer/);
    }
    expect((await narrow.post('/api/v1/customers/query', { expand: ['contacts'] })).body.code).toBe('insufficient-scope');
    expect((await narrow.get(`/api/v1/customers/${c.id}`)).status).toBe(200);
    const listed = await both.get(`/api/v1/customers?expand=contacts&filter[id]=${c.id}`);
    expect(listed.body.data[0].contacts.map((x: { id: number }) => x.id)).toEqual([contact.id]);
    // a related tab's list: its entity, and what it expands
    const added = await t.api.post('/api/v1/meta/entities/contact/custom-fields', { name: 'advisor', type: 'user', label: { 'zh-CN': '顾问', en: 'Advisor' } });
    expect(added.status).toBe(201);
    expect((await both.get(`/api/v1/customers/${c.id}/related/contacts?expand=customer`)).status).toBe(200);
    const tabRefused = await both.get(`/api/v1/customers/${c.id}/related/contacts?expand=advisor`);
    expect([tabRefused.status, tabRefused.body.code]).toEqual([403, 'insufficient-scope']);
    expect(tabRefused.body.detail).toMatch(/user/);
    const withUsers = (await tokenClient(t.api, { scopes: ['customer:read', 'contact:read', 'user:read'] })).client;
    expect((await withUsers.get(`/api/v1/customers/${c.id}/related/contacts?expand=advisor`)).status).toBe(200);
  });

  it('is held to the form entity on the records of data forms, as on the generic routes', async () => {
    const label = (s: string) => ({ 'zh-CN': s, en: s });
    const form = await t.api.post('/api/v1/forms', {
      code: 'visit', kind: 'data', label: label('Visit'),
      fields: [{ name: 'title', type: 'string', label: label('Title'), required: true, length: 50 }, { name: 'customer', type: 'reference', entity: 'customer', label: label('Customer') }],
    });
    expect(form.status).toBe(201);
    const c = (await t.api.post('/api/v1/customers', customer(21))).body;
    const rec = (await t.api.post('/api/v1/forms/visit/records', { title: 'first', customer: c.id })).body;
    const reader = (await tokenClient(t.api, { scopes: ['formVisit:read'] })).client;
    const writer = (await tokenClient(t.api, { scopes: ['formVisit:create', 'formVisit:read'] })).client;
    const other = (await tokenClient(t.api, { scopes: ['customer:*'] })).client;
    expect((await reader.get('/api/v1/forms/visit/records')).body.data.map((r: { id: number }) => r.id)).toEqual([rec.id]);
    expect((await reader.get(`/api/v1/forms/visit/records/${rec.id}`)).status).toBe(200);
    expect((await reader.get(`/api/v1/forms/visit/records?expand=customer`)).body.code).toBe('insufficient-scope');
    expect((await reader.post('/api/v1/forms/visit/records', { title: 'no' })).body.code).toBe('insufficient-scope');
    expect((await reader.patch(`/api/v1/forms/visit/records/${rec.id}`, { title: 'no', version: 1 })).body.code).toBe('insufficient-scope');
    expect((await reader.delete(`/api/v1/forms/visit/records/${rec.id}?version=1`)).body.code).toBe('insufficient-scope');
    expect((await writer.post('/api/v1/forms/visit/records', { title: 'second' })).status).toBe(201);
    expect((await writer.post('/api/v1/forms/visit/records/grid', { records: [{ title: 'third' }] })).status).not.toBe(403);
    for (const res of [await other.get('/api/v1/forms/visit/records'), await other.post('/api/v1/forms/visit/records', { title: 'x' })]) expect(res.body.code).toBe('insufficient-scope');
    // the same rule as the form entity's generic route
    expect((await reader.get('/api/v1/formVisitRecords')).status).toBe(200);
    expect((await other.get('/api/v1/formVisitRecords')).body.code).toBe('insufficient-scope');
  });

  it("never exceeds its user's rights", async () => {
    const judy = await clientFor(t, 'judy', PASSWORD);
    const { client: auditor } = await tokenClient(judy, { scopes: ['write'] });
    expect((await auditor.get('/api/v1/customers')).status).toBe(200);
    const denied = await auditor.post('/api/v1/customers', customer(7));
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden'); // the permission layer, not the token
    const { client: rep } = await tokenClient(ivan, { scopes: ['write'] });
    const own = await rep.post('/api/v1/customers', customer(8));
    expect(own.status).toBe(201);
    expect(own.body.owner).toBe(ids.ivan);
    expect((await rep.delete(`/api/v1/customers/${own.body.id}`)).body.code).toBe('forbidden'); // sales reps may not delete
    expect((await rep.get('/api/v1/customers/1')).status).toBe(404); // not theirs
  });

  it('cannot manage tokens, passwords or sessions', async () => {
    const { client } = await tokenClient(t.api, { scopes: ['write'] });
    for (const res of [
      await client.post('/api/v1/auth/tokens', { name: 'child', scopes: ['write'] }),
      await client.post('/api/v1/AUTH/Tokens', { name: 'child', scopes: ['write'] }),
      await client.post(`/api/v1/Users/${ids.ivan}/PASSWORD`, { password: 'Another-Pass-123' }),
      await client.get('/api/v1/auth/tokens'),
      await client.delete('/api/v1/auth/tokens/1'),
      await client.post('/api/v1/auth/password', { currentPassword: 'x', newPassword: 'y' }),
      await client.post('/api/v1/auth/logout-all'),
      await client.post(`/api/v1/users/${ids.ivan}/password`, { password: 'Another-Pass-123' }),
      await client.post(`/api/v1/users/${ids.ivan}/unlock`),
      await client.post(`/api/v1/users/${ids.ivan}/logout`),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('token-not-allowed');
    }
  });

  it('is created for a user by an administrator only; users list only their own', async () => {
    const { client } = await tokenClient(t.api, { userId: ids.judy, scopes: ['read'] });
    expect((await client.get('/api/v1/auth/me')).body).toMatchObject({ username: 'judy', isAdmin: false });
    expect((await ivan.post('/api/v1/auth/tokens', { name: 'x', scopes: ['read'], userId: ids.judy })).status).toBe(403);
    expect((await ivan.get(`/api/v1/auth/tokens?userId=${ids.judy}`)).status).toBe(403);
    const judys = await t.api.get(`/api/v1/auth/tokens?userId=${ids.judy}`);
    expect(judys.body.data.length).toBeGreaterThan(0);
    expect(judys.body.data.every((x: { userId: number }) => x.userId === ids.judy)).toBe(true);
    const mine = await ivan.get('/api/v1/auth/tokens');
    expect(mine.body.data.every((x: { userId: number }) => x.userId === ids.ivan)).toBe(true);
  });

  it('checks what it is asked for', async () => {
    const bad = await t.api.post('/api/v1/auth/tokens', { name: '', scopes: ['admin', 'nosuch:read', 'customer:fly'], expiresInDays: 9999, extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['expiresInDays', 'extra', 'name', 'scopes[0]', 'scopes[1]', 'scopes[2]']);
    expect((await t.api.post('/api/v1/auth/tokens', { name: 'x', scopes: [] })).status).toBe(400);
    expect((await t.api.post('/api/v1/auth/tokens', { name: 'x', scopes: ['read'], expiresAt: '2001-01-01T00:00:00Z' })).body.errors[0].field).toBe('expiresAt');
  });

  it('expires', async () => {
    const { client, id } = await tokenClient(t.api, { scopes: ['read'], expiresInDays: 1 });
    expect((await client.get('/api/v1/customers')).status).toBe(200);
    t.platform.sessions.clock.offset = 2 * 86_400_000;
    expect((await client.get('/api/v1/customers')).status).toBe(401);
    t.platform.sessions.clock.offset = 0;
    const listed = (await t.api.get('/api/v1/auth/tokens')).body.data.find((x: { id: number }) => x.id === id);
    expect(listed.status).toBe('active'); // back to the present
    t.platform.sessions.clock.offset = 2 * 86_400_000;
    expect((await t.platform.sessions.listTokens({ id }))[0].status).toBe('expired');
  });

  it('is refused as soon as it is revoked, and for good', async () => {
    const { client, id } = await tokenClient(ivan, { scopes: ['read'] });
    expect((await client.get('/api/v1/customers')).status).toBe(200); // now cached on this node
    const other = await tokenClient(t.api, { scopes: ['read'] });
    expect((await ivan.delete(`/api/v1/auth/tokens/${other.id}`)).status).toBe(404); // not his
    expect((await ivan.delete(`/api/v1/auth/tokens/${id}`)).status).toBe(204);
    expect((await client.get('/api/v1/customers')).status).toBe(401);
    expect((await client.get('/api/v1/auth/me')).status).toBe(401);
    expect((await ivan.delete(`/api/v1/auth/tokens/${id}`)).status).toBe(204);
    const listed = (await ivan.get('/api/v1/auth/tokens')).body.data.find((x: { id: number }) => x.id === id);
    expect(listed).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    // an administrator can revoke anyone's token
    expect((await t.api.delete(`/api/v1/auth/tokens/${other.id}`)).status).toBe(204);
    expect((await other.client.get('/api/v1/customers')).status).toBe(401);
  });

  it('records when it was last used', async () => {
    const { client, id } = await tokenClient(ivan, { scopes: ['read'] });
    await client.get('/api/v1/customers');
    const listed = (await ivan.get('/api/v1/auth/tokens')).body.data.find((x: { id: number }) => x.id === id);
    expect(Date.now() - Date.parse(listed.lastUsedAt)).toBeLessThan(60_000);
  });

  it('logs out everywhere: every session, and the tokens when asked', async () => {
    const a = await clientFor(t, 'ivan', PASSWORD);
    const b = await clientFor(t, 'ivan', PASSWORD);
    const { client: token } = await tokenClient(a, { scopes: ['read'] });
    const res = await a.post('/api/v1/auth/logout-all');
    expect(res.status).toBe(200);
    expect(res.body.sessions).toBeGreaterThanOrEqual(2);
    expect(res.body.tokens).toBe(0);
    for (const api of [a, b, ivan]) expect((await api.get('/api/v1/auth/me')).status).toBe(401);
    expect((await token.get('/api/v1/auth/me')).status).toBe(200);
    const c = await clientFor(t, 'ivan', PASSWORD);
    expect((await c.post('/api/v1/auth/logout-all', { tokens: true })).body.tokens).toBeGreaterThan(0);
    expect((await token.get('/api/v1/auth/me')).status).toBe(401);
    // an administrator does it for a user
    const d = await clientFor(t, 'ivan', PASSWORD);
    expect((await ivan.post(`/api/v1/users/${ids.judy}/logout`)).status).toBe(401);
    expect((await d.post(`/api/v1/users/${ids.judy}/logout`)).status).toBe(403);
    expect((await t.api.post(`/api/v1/users/${ids.ivan}/logout`, { tokens: true })).body.sessions).toBe(1);
    expect((await d.get('/api/v1/auth/me')).status).toBe(401);
    ivan = await clientFor(t, 'ivan', PASSWORD);
  });

  it('every authentication endpoint is in the OpenAPI document', async () => {
    const doc = (await new Api(t.platform.url).get('/api/v1/openapi.json')).body;
    const expected: Record<string, string[]> = {
      '/api/v1/auth/login': ['post'], '/api/v1/auth/logout': ['post'], '/api/v1/auth/logout-all': ['post'], '/api/v1/auth/me': ['get'],
      '/api/v1/auth/password-policy': ['get'], '/api/v1/auth/password': ['post'], '/api/v1/auth/tokens': ['get', 'post'], '/api/v1/auth/tokens/{id}': ['delete'],
      '/api/v1/users/{id}/password': ['post'], '/api/v1/users/{id}/unlock': ['post'], '/api/v1/users/{id}/logout': ['post'],
    };
    for (const [path, methods] of Object.entries(expected)) expect(Object.keys(doc.paths[path] ?? {}).sort()).toEqual(methods.sort());
    expect(doc.components.securitySchemes.cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'plinth_session' });
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
    for (const ref of new Set(refs)) expect(doc.components.schemas).toHaveProperty([ref.slice(22, -1)]);
  });

  it('writes token creation, revocation and logouts to the operation log, never a secret', async () => {
    const created = await auditRows(t, 'token-create');
    expect(created.length).toBeGreaterThan(5);
    expect(created[0].detail).toMatch(/^API token \d+ "nightly export" scopes read expires /);
    expect((await auditRows(t, 'token-revoke')).length).toBeGreaterThanOrEqual(2);
    const everywhere = await auditRows(t, 'logout-all');
    expect(everywhere.map((r) => r.record_id)).toEqual([ids.ivan, ids.ivan, ids.ivan]);
    await expectNoSecretsInAudit(t, secrets);
  });
});
