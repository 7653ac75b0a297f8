import { Writable } from 'node:stream';
import { Platform } from '../../core/src/app/platform';
import { createLogger } from '../../core/src/app/logger';
import { loadConfig } from '../../core/src/app/config';
import { TEST_DATABASES } from '../support/databases';
import { ADMIN, Api, ROOT, describeEachDatabase, startTestPlatform, testKeyring, type TestPlatform } from '../support/platform';

describeEachDatabase('authentication', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db);
  });
  afterAll(async () => t?.stop());

  it('logs in, says who I am, and logs out (the token stops working)', async () => {
    const api = new Api(t.platform.url);
    await api.login();
    const me = await api.get('/api/v1/auth/me');
    expect(me.body).toMatchObject({ username: ADMIN.username, isAdmin: true, userId: expect.any(Number) });
    expect((await api.post('/api/v1/auth/logout')).status).toBe(204);
    expect((await api.get('/api/v1/customers')).status).toBe(401);
  });

  it('refuses wrong credentials with one message for unknown users and wrong passwords', async () => {
    const api = new Api(t.platform.url);
    const wrong = await api.post('/api/v1/auth/login', { username: ADMIN.username, password: 'nope-nope' });
    const unknown = await api.post('/api/v1/auth/login', { username: 'nobody', password: 'nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    const missing = await api.post('/api/v1/auth/login', { username: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'password', rule: 'required' })]);
  });

  it('requires a token for every data route', async () => {
    const api = new Api(t.platform.url);
    for (const [method, url] of [['GET', '/api/v1/customers'], ['POST', '/api/v1/customers'], ['GET', '/api/v1/customers/1'], ['GET', '/api/v1/ext/customers/stats']]) {
      expect((await api.request(method, url, method === 'POST' ? {} : undefined)).status).toBe(401);
    }
  });
});

describeEachDatabase('OpenAPI and docs', (db) => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform(db);
  });
  afterAll(async () => t?.stop());

  it('serves an OpenAPI 3.1 document generated from the metadata', async () => {
    const res = await new Api(t.platform.url).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/customers', '/api/v1/customers/{id}', '/api/v1/customers/bulk', '/api/v1/customers/trash', '/api/v1/contacts/{id}/restore', '/api/v1/parameters', '/api/v1/dictionaries/{code}/items', '/api/v1/categories/tree/{kind}']) {
      expect(doc.paths).toHaveProperty([path]);
    }
    const create = doc.components.schemas.CustomerCreate;
    expect(create.required).toEqual(['customerNo', 'name', 'kind']);
    expect(create.properties.level.enum).toEqual(expect.arrayContaining(['vip', null]));
    expect(create.properties.customerNo).toMatchObject({ type: 'string', maxLength: 16, pattern: '^C\\d{8}$', 'x-label': { 'zh-CN': '客户编号', en: 'Customer no.' } });
    expect(create.additionalProperties).toBe(false);
    expect(doc.components.schemas.ContactCreate.properties.customer.description).toContain('customer');
    expect(doc.components.schemas.Customer.properties.idNumber['x-sensitive']).toBe(true);
    // every $ref resolves
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
    for (const ref of new Set(refs)) expect(doc.components.schemas).toHaveProperty([ref.slice(22, -1)]);
  });

  it('serves a browsable docs page from local assets under a strict CSP', async () => {
    const api = new Api(t.platform.url);
    const page = await api.get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/api/docs/swagger-ui-bundle.js');
    expect(page.body).not.toMatch(/https?:\/\//);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const js = await api.get('/api/docs/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await api.get('/api/docs/..%2Fpackage.json')).status).toBe(404);
  });
});

describe('structured logs', () => {
  it('writes JSON lines with the request id and never the password or token', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => { lines.push(...String(chunk).split('\n').filter(Boolean)); cb(); } });
    const fresh = TEST_DATABASES[0].fresh();
    const config = { ...loadConfig({ ADMIN_PASSWORD: ADMIN.password, LOG_LEVEL: 'info' }, ROOT), port: 0, host: '127.0.0.1', database: fresh.config, demoData: false };
    const platform = await Platform.start(config, { pluginSource: true, logger: createLogger('info', sink), keyring: testKeyring() });
    try {
      const api = new Api(platform.url);
      await api.login();
      await api.request('GET', '/api/v1/customers/424242', undefined, { 'x-request-id': 'req-abc-123' });
      await api.request('GET', '/api/v1/customers', undefined, { authorization: 'Bearer secret-token-value-0123456789' });
    } finally {
      await platform.close();
      await fresh.cleanup();
    }
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.find((l) => l.requestId === 'req-abc-123')).toMatchObject({ level: 'info', method: 'GET', path: '/api/v1/customers/424242', status: 404, msg: 'request' });
    const all = lines.join('\n');
    expect(all).not.toContain(ADMIN.password);
    expect(all).not.toContain('secret-token-value-0123456789');
  });
});
