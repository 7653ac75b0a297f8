import { ADMIN, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { auditRows, Browser, cookieAttributes, expectNoSecretsInAudit } from './helpers';

const customer = (n: number) => ({ customerNo: `C${String(n).padStart(8, '0')}`, name: `Cookie ${n}`, kind: 'person', status: 'active' });

describeEachDatabase('browser sessions: cookies, CSRF, fixation', (db) => {
  let t: TestPlatform;
  const tokens: string[] = [];
  beforeAll(async () => {
    t = await startTestPlatform(db, { plugins: ['customers', 'contacts'], env: { TRUST_PROXY: 'true' } });
  });
  afterAll(async () => t?.stop());

  async function browserLogin(headers: Record<string, string> = {}, b = new Browser(t.platform.url)) {
    const res = await b.request('POST', '/api/v1/auth/login', { username: ADMIN.username, password: ADMIN.password, cookie: true }, headers);
    expect(res.status).toBe(200);
    tokens.push(b.cookies.get('plinth_session')!);
    return { b, res };
  }

  it('sets an HTTP-only, SameSite session cookie and a readable CSRF cookie; the token stays out of the body', async () => {
    const { b, res } = await browserLogin();
    expect(res.body.token).toBeUndefined();
    expect(res.body.csrfToken).toEqual(expect.any(String));
    const [session, csrf] = ['plinth_session', 'plinth_csrf'].map((n) => cookieAttributes(b.lastSetCookies.find((l) => l.startsWith(`${n}=`))!));
    expect(session.value).toMatch(/^pls_/);
    expect(session.attrs.get('httponly')).toBe(true);
    expect(session.attrs.get('samesite')).toBe('Lax');
    expect(session.attrs.get('path')).toBe('/');
    expect(Number(session.attrs.get('max-age'))).toBeGreaterThan(0);
    expect(session.attrs.has('secure')).toBe(false); // plain HTTP, COOKIE_SECURE=auto
    expect(csrf.value).toBe(res.body.csrfToken);
    expect(csrf.attrs.has('httponly')).toBe(false);
    const me = await b.request('GET', '/api/v1/auth/me');
    expect(me.body).toMatchObject({ username: ADMIN.username, authType: 'session', via: 'cookie', csrfToken: res.body.csrfToken });
  });

  it('marks cookies Secure when the request came over TLS (through the proxy)', async () => {
    const { b } = await browserLogin({ 'x-forwarded-proto': 'https' });
    for (const line of b.lastSetCookies) expect(cookieAttributes(line).attrs.get('secure')).toBe(true);
  });

  it('refuses state-changing cookie requests without the right CSRF token, and accepts them with it', async () => {
    const { b, res } = await browserLogin();
    const none = await b.request('POST', '/api/v1/customers', customer(1));
    expect(none.status).toBe(403);
    expect(none.body.code).toBe('csrf');
    const wrong = await b.request('POST', '/api/v1/customers', customer(1), { 'x-csrf-token': 'x'.repeat(43) });
    expect(wrong.body.code).toBe('csrf');
    for (const method of ['PATCH', 'DELETE']) expect((await b.request(method, '/api/v1/customers/1', {})).body.code).toBe('csrf');
    expect((await t.api.get('/api/v1/customers?filter[customerNo]=C00000001')).body.data).toHaveLength(0);
    // another session's CSRF token does not fit this session
    const { res: other } = await browserLogin();
    expect((await b.request('POST', '/api/v1/customers', customer(1), { 'x-csrf-token': other.body.csrfToken })).body.code).toBe('csrf');
    const ok = await b.request('POST', '/api/v1/customers', customer(1), { 'x-csrf-token': res.body.csrfToken });
    expect(ok.status).toBe(201);
    // reads need no token
    expect((await b.request('GET', '/api/v1/customers')).status).toBe(200);
  });

  it('needs no CSRF token with a bearer token (a foreign page cannot send one)', async () => {
    const created = await t.api.post('/api/v1/customers', customer(2));
    expect(created.status).toBe(201);
  });

  it('gives a new session id on every login and ends the one the browser had (session fixation)', async () => {
    const { b } = await browserLogin();
    const first = b.cookies.get('plinth_session')!;
    const planted = new Browser(t.platform.url);
    planted.cookies.set('plinth_session', first);
    expect((await planted.request('GET', '/api/v1/auth/me')).status).toBe(200);
    await browserLogin({}, b);
    const second = b.cookies.get('plinth_session')!;
    expect(second).not.toBe(first);
    expect((await planted.request('GET', '/api/v1/auth/me')).status).toBe(401);
    expect((await b.request('GET', '/api/v1/auth/me')).status).toBe(200);
    // an id the server never issued is refused, and the browser is told to drop it
    const forged = new Browser(t.platform.url);
    forged.cookies.set('plinth_session', `pls_${'A'.repeat(43)}`);
    const res = await forged.request('GET', '/api/v1/auth/me');
    expect(res.status).toBe(401);
    expect(forged.cookies.has('plinth_session')).toBe(false);
  });

  it('logs out: the cookie is cleared and the session id is dead', async () => {
    const { b } = await browserLogin();
    const id = b.cookies.get('plinth_session')!;
    expect((await b.request('POST', '/api/v1/auth/logout')).body.code).toBe('csrf');
    const out = await b.withCsrf('POST', '/api/v1/auth/logout');
    expect(out.status).toBe(204);
    expect(b.cookies.size).toBe(0);
    const replay = new Browser(t.platform.url);
    replay.cookies.set('plinth_session', id);
    expect((await replay.request('GET', '/api/v1/auth/me')).status).toBe(401);
    expect((await auditRows(t, 'logout')).length).toBeGreaterThan(0);
    expect((await auditRows(t, 'login')).some((r) => r.detail?.startsWith('cookie'))).toBe(true);
  });

  it('does not take an API token as a session cookie', async () => {
    const token = await t.api.post('/api/v1/auth/tokens', { name: 'cookie test', scopes: ['read'] });
    tokens.push(token.body.token);
    const b = new Browser(t.platform.url);
    b.cookies.set('plinth_session', token.body.token);
    expect((await b.request('GET', '/api/v1/auth/me')).status).toBe(401);
  });

  it('keeps tokens and passwords out of the operation log', async () => {
    await expectNoSecretsInAudit(t, [...tokens, ADMIN.password]);
  });
});
