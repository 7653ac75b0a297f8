import { Api, describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { auditRows, clientFor, createUser, expectNoSecretsInAudit, login } from './helpers';

const P = ['Aa1!-first-pass', 'Bb2!-second-pass', 'Cc3!-third-pass', 'Dd4!-fourth-pass', 'Ee5!-fifth-pass'];
const used: string[] = [...P];
const secret = (s: string) => (used.push(s), s);

describeEachDatabase('password policy, expiry, history, change and reset', (db) => {
  let t: TestPlatform;
  let erin: number;
  beforeAll(async () => {
    t = await startTestPlatform(db, {
      plugins: ['customers', 'contacts'],
      env: { PASSWORD_MIN_LENGTH: '12', PASSWORD_REQUIRE: 'upper,lower,digits,symbols', PASSWORD_HISTORY: '3', PASSWORD_EXPIRY_DAYS: '30', SESSION_TTL: String(60 * 86_400) },
    });
    erin = await createUser(t, 'erin', P[0]);
  });
  afterAll(async () => t?.stop());
  afterEach(() => {
    t.platform.sessions.clock.offset = 0;
  });

  it('publishes the policy without a login', async () => {
    const res = await new Api(t.platform.url).get('/api/v1/auth/password-policy');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ minLength: 12, maxLength: 200, require: ['upper', 'lower', 'digits', 'symbols'], expiryDays: 30, history: 3 });
  });

  it('refuses a new password with a 400 listing every rule it breaks', async () => {
    const api = await clientFor(t, 'erin', P[0]);
    const res = await api.post('/api/v1/auth/password', { currentPassword: P[0], newPassword: secret('qqzzyyxx') });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation');
    expect(res.body.errors.map((e: { rule: string }) => e.rule).sort()).toEqual(['digits', 'minLength', 'symbols', 'upper']);
    expect(res.body.errors.every((e: { field: string }) => e.field === 'newPassword')).toBe(true);
    const withName = await api.post('/api/v1/auth/password', { currentPassword: P[0], newPassword: secret('Xx9!-ERIN-secret') });
    expect(withName.body.errors).toEqual([expect.objectContaining({ field: 'newPassword', rule: 'username' })]);
    // an administrator's reset is held to the same rules
    const reset = await t.api.post(`/api/v1/users/${erin}/password`, { password: secret('short') });
    expect(reset.status).toBe(400);
    expect(reset.body.errors.map((e: { rule: string }) => e.rule)).toContain('minLength');
    // nothing changed
    expect((await login(t, 'erin', P[0])).status).toBe(200);
  });

  it('needs the current password, and a wrong one counts as a failed login', async () => {
    const api = await clientFor(t, 'erin', P[0]);
    const res = await api.post('/api/v1/auth/password', { currentPassword: secret('Not-the-pass-1!'), newPassword: P[1] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'currentPassword', rule: 'mismatch' })]);
    expect((await auditRows(t, 'password-failed')).filter((r) => r.record_id === erin)).toHaveLength(1);
    expect((await login(t, 'erin', P[0])).status).toBe(200); // resets the failure count
  });

  it('does not take back any of the last N passwords, and ends the other sessions on a change', async () => {
    const api = await clientFor(t, 'erin', P[0]);
    const other = await clientFor(t, 'erin', P[0]);
    expect((await api.post('/api/v1/auth/password', { currentPassword: P[0], newPassword: P[1] })).status).toBe(204);
    expect((await api.get('/api/v1/auth/me')).status).toBe(200); // this session stays
    expect((await other.get('/api/v1/auth/me')).status).toBe(401); // the others end
    expect((await api.post('/api/v1/auth/password', { currentPassword: P[1], newPassword: P[2] })).status).toBe(204);
    for (const again of [P[0], P[1], P[2]]) {
      const res = await api.post('/api/v1/auth/password', { currentPassword: P[2], newPassword: again });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'newPassword', rule: 'history' })]);
    }
    expect((await api.post('/api/v1/auth/password', { currentPassword: P[2], newPassword: P[3] })).status).toBe(204);
    // P[0] has left the last three (P[1], P[2], P[3])
    expect((await api.post('/api/v1/auth/password', { currentPassword: P[3], newPassword: P[0] })).status).toBe(204);
    expect((await login(t, 'erin', P[0])).status).toBe(200);
    expect((await login(t, 'erin', P[3])).status).toBe(401);
    const changes = (await auditRows(t, 'password-change')).filter((r) => r.record_id === erin);
    expect(changes).toHaveLength(4);
  });

  it('forces a change once the password has expired', async () => {
    const before = await clientFor(t, 'erin', P[0]);
    t.platform.sessions.clock.offset = 31 * 86_400_000;
    const res = await login(t, 'erin', P[0]);
    expect(res.status).toBe(200);
    expect(res.body.passwordExpired).toBe(true);
    const api = new Api(t.platform.url);
    api.token = res.body.token;
    for (const call of [api.get('/api/v1/auth/tokens'), api.get('/api/v1/customers'), before.get('/api/v1/users')]) {
      const refused = await call;
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('password-expired');
    }
    expect((await api.get('/api/v1/auth/me')).body).toMatchObject({ username: 'erin', passwordExpired: true });
    expect((await api.post('/api/v1/auth/password', { currentPassword: P[0], newPassword: P[4] })).status).toBe(204);
    expect((await api.get('/api/v1/auth/tokens')).status).toBe(200);
    expect((await api.get('/api/v1/auth/me')).body.passwordExpired).toBe(false);
  });

  it("lets an administrator reset a password: the user's sessions end and a change is required", async () => {
    const frank = await createUser(t, 'frank', P[0]);
    const session = await clientFor(t, 'frank', P[0]);
    const token = await session.post('/api/v1/auth/tokens', { name: 'ci', scopes: ['read'] });
    expect(token.status).toBe(201);
    const integration = new Api(t.platform.url);
    integration.token = secret(token.body.token);
    // not for anyone but administrators
    expect((await session.post(`/api/v1/users/${erin}/password`, { password: P[1] })).status).toBe(403);

    const reset = await t.api.post(`/api/v1/users/${frank}/password`, { password: P[1], revokeTokens: true });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ sessions: 1, tokens: 1 });
    expect((await session.get('/api/v1/auth/me')).status).toBe(401);
    expect((await integration.get('/api/v1/customers')).status).toBe(401);
    expect((await login(t, 'frank', P[0])).status).toBe(401);
    const next = await login(t, 'frank', P[1]);
    expect(next.body.passwordExpired).toBe(true);
    const api = new Api(t.platform.url);
    api.token = next.body.token;
    expect((await api.get('/api/v1/customers')).body.code).toBe('password-expired');
    expect((await api.post('/api/v1/auth/password', { currentPassword: P[1], newPassword: P[2] })).status).toBe(204);
    expect((await api.get('/api/v1/auth/me')).body.passwordExpired).toBe(false);
    // an unknown user
    expect((await t.api.post('/api/v1/users/999999/password', { password: P[3] })).status).toBe(404);

    const rows = (await auditRows(t, 'password-reset')).filter((r) => r.record_id === frank);
    expect(rows.length).toBe(2); // the set-up and this reset
    expect(rows[1]).toMatchObject({ username: 'admin', entity: 'user' });
    expect(rows[1].detail).toContain('ended 1 sessions, 1 tokens');
  });

  it('writes each password event to the operation log, never a password', async () => {
    for (const action of ['password-change', 'password-reset', 'password-failed', 'login', 'login-failed', 'token-create']) {
      expect((await auditRows(t, action)).length).toBeGreaterThan(0);
    }
    await expectNoSecretsInAudit(t, used);
  });
});
