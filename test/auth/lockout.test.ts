import { describeEachDatabase, startTestPlatform, type TestPlatform } from '../support/platform';
import { auditRows, clientFor, createUser, expectNoSecretsInAudit, login, stable } from './helpers';

const PASSWORD = 'Lock-Test-Pass-1';
const WRONG = 'Wrong-Guess-99';

describeEachDatabase('login throttling and lock-out', (db) => {
  let t: TestPlatform;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    t = await startTestPlatform(db, {
      plugins: ['customers', 'contacts'],
      env: { TRUST_PROXY: 'true', LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_MINUTES: '10', LOGIN_IP_MAX_FAILURES: '8', LOGIN_IP_WINDOW_MINUTES: '5' },
    });
    for (const name of ['alice', 'bob', 'carol', 'dave']) ids[name] = await createUser(t, name, PASSWORD);
  });
  afterAll(async () => t?.stop());
  afterEach(() => {
    t.platform.sessions.clock.offset = 0;
  });

  it('locks an account after N failures, refusing even the right password, and says when to retry', async () => {
    const ip = '10.1.0.1';
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await login(t, 'alice', WRONG, ip)).status);
    expect(statuses).toEqual([401, 401, 423]);
    const locked = await login(t, 'alice', PASSWORD, ip);
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ code: 'account-locked', status: 423 });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.body.token).toBeUndefined();
    // other accounts are not affected
    expect((await login(t, 'bob', PASSWORD, ip)).status).toBe(200);

    const lockout = (await auditRows(t, 'lockout')).filter((r) => r.username === 'alice');
    expect(lockout).toHaveLength(1);
    expect(lockout[0]).toMatchObject({ user_id: ids.alice, entity: 'user', record_id: ids.alice, ip });
    const failed = (await auditRows(t, 'login-failed')).filter((r) => r.username === 'alice');
    expect(failed.map((r) => r.detail)).toEqual(['wrong password', 'wrong password', 'wrong password', 'refused: account locked']);
  });

  it('answers an unknown username exactly like a real one, lock-out included', async () => {
    const run = async (username: string, ip: string) => {
      const out: { status: number; body: Record<string, unknown>; retry: boolean }[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await login(t, username, WRONG, ip);
        out.push({ status: res.status, body: stable(res.body), retry: res.headers.get('retry-after') !== null });
      }
      return out;
    };
    const real = await run('carol', '10.2.0.1');
    const unknown = await run('no-such-user', '10.2.0.2');
    expect(real.map((r) => r.status)).toEqual([401, 401, 423, 423]);
    expect(unknown).toEqual(real);
    // A real user's right password while locked gets the same answer as anything else.
    const right = await login(t, 'carol', PASSWORD, '10.2.0.3');
    const guess = await login(t, 'no-such-user', PASSWORD, '10.2.0.4');
    expect([right.status, stable(right.body)]).toEqual([guess.status, stable(guess.body)]);
    // Case and spacing variants count against the same name (MariaDB compares them equal).
    expect((await login(t, ' No-Such-User', WRONG, '10.2.0.5')).status).toBe(423);
  });

  it('unlocks after the lock time, and an administrator can unlock earlier', async () => {
    for (let i = 0; i < 3; i++) await login(t, 'dave', WRONG, '10.3.0.1');
    expect((await login(t, 'dave', PASSWORD, '10.3.0.1')).status).toBe(423);
    t.platform.sessions.clock.offset = 11 * 60_000;
    expect((await login(t, 'dave', PASSWORD, '10.3.0.1')).status).toBe(200);
    t.platform.sessions.clock.offset = 0;

    for (let i = 0; i < 3; i++) await login(t, 'dave', WRONG, '10.3.0.2');
    expect((await login(t, 'dave', PASSWORD, '10.3.0.2')).status).toBe(423);
    const bobApi = await clientFor(t, 'bob', PASSWORD, '10.3.0.3');
    expect((await bobApi.post(`/api/v1/users/${ids.dave}/unlock`)).status).toBe(403); // bob is no administrator
    const unlock = await t.api.post(`/api/v1/users/${ids.dave}/unlock`);
    expect(unlock.status).toBe(200);
    expect(unlock.body).toEqual({ unlocked: true });
    expect((await login(t, 'dave', PASSWORD, '10.3.0.2')).status).toBe(200);
    expect((await auditRows(t, 'unlock')).map((r) => r.record_id)).toContain(ids.dave);
  });

  it('counts failures within a window: old failures do not add up to a lock', async () => {
    await login(t, 'bob', WRONG, '10.4.0.1');
    await login(t, 'bob', WRONG, '10.4.0.1');
    t.platform.sessions.clock.offset = 11 * 60_000;
    expect((await login(t, 'bob', WRONG, '10.4.0.1')).status).toBe(401);
    expect((await login(t, 'bob', PASSWORD, '10.4.0.1')).status).toBe(200);
  });

  it('throttles an address after too many failures, whatever the usernames', async () => {
    const ip = '10.9.9.9';
    const statuses: number[] = [];
    // 8 failures spread over many names: no single account gets locked
    for (let i = 0; i < 8; i++) statuses.push((await login(t, `spray${i}`, WRONG, ip)).status);
    expect(statuses).toEqual(Array(8).fill(401));
    const refused = await login(t, 'bob', PASSWORD, ip);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('too-many-attempts');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // another address is not throttled, and the client cannot pick its address by prepending to X-Forwarded-For
    expect((await login(t, 'bob', PASSWORD, '10.9.9.10')).status).toBe(200);
    expect((await login(t, 'bob', PASSWORD, `10.0.0.1, ${ip}`)).status).toBe(429);
    const throttled = await auditRows(t, 'login-throttled');
    expect(throttled).toHaveLength(1);
    expect(throttled[0].ip).toBe(ip);
    // the window passes
    t.platform.sessions.clock.offset = 6 * 60_000;
    expect((await login(t, 'bob', PASSWORD, ip)).status).toBe(200);
  });

  it('never writes a password to the operation log', async () => {
    await expectNoSecretsInAudit(t, [PASSWORD, WRONG]);
  });
});
