import { ConfigError, loadConfig } from '../../core/src/app/config';
import { PasswordPolicy } from '../../core/src/auth/passwords';
import { parseScopes, requirementOf, scopesAllow } from '../../core/src/auth/scopes';

const lookup = {
  entityOf: (plural: string) => ({ customers: 'customer', contacts: 'contact', users: 'user' })[plural] ?? null,
  formEntityOf: (code: string) => (code === 'leave' ? 'formLeave' : null),
  expansionTargets: (entity: string, names: readonly string[]) =>
    names.flatMap((n) => (({ 'customer.contacts': ['contact'], 'customer.owner2': ['user'], 'contact.customer': ['customer'], 'formLeave.approver': ['user'] }) as Record<string, string[]>)[`${entity}.${n}`] ?? []),
};
const need = (method: string, path: string, body?: unknown, query?: Record<string, string>) => requirementOf({ method, path, body, query }, lookup);

describe('token scopes', () => {
  it('map each API route to the entity and action it needs', () => {
    expect(need('GET', '/customers')).toEqual({ kind: 'needs', needs: [['customer', 'read']] });
    expect(need('POST', '/customers/query')).toEqual({ kind: 'needs', needs: [['customer', 'read']] });
    expect(need('POST', '/customers')).toEqual({ kind: 'needs', needs: [['customer', 'create']] });
    expect(need('PATCH', '/customers/3')).toEqual({ kind: 'needs', needs: [['customer', 'update']] });
    expect(need('DELETE', '/customers/3')).toEqual({ kind: 'needs', needs: [['customer', 'delete']] });
    expect(need('POST', '/customers/3/restore')).toEqual({ kind: 'needs', needs: [['customer', 'delete']] });
    expect(need('DELETE', '/customers/trash/3')).toEqual({ kind: 'needs', needs: [['customer', 'delete']] });
    expect(need('POST', '/customers/bulk', { create: [{}], delete: [1], update: [] })).toEqual({ kind: 'needs', needs: [['customer', 'create'], ['customer', 'delete']] });
    expect(need('POST', '/customers/bulk', 'junk')).toEqual({ kind: 'needs', needs: [['customer', 'create'], ['customer', 'update'], ['customer', 'delete']] });
    expect(need('GET', '/ext/customers/stats')).toEqual({ kind: 'needs', needs: [['*', 'read']] });
    expect(need('POST', '/ext/customers/import')).toEqual({ kind: 'needs', needs: [['*', '*']] });
    expect(need('POST', '/something-new')).toEqual({ kind: 'needs', needs: [['*', '*']] });
    expect(need('GET', '/auth/me')).toEqual({ kind: 'needs', needs: [] });
    expect(need('POST', '/auth/logout')).toEqual({ kind: 'needs', needs: [] });
    for (const [m, p] of [['POST', '/auth/tokens'], ['GET', '/auth/tokens'], ['POST', '/auth/logout-all'], ['POST', '/auth/password'], ['POST', '/users/4/password'], ['POST', '/users/4/unlock'], ['POST', '/users/4/logout']]) {
      expect(need(m, p)).toEqual({ kind: 'credentials' });
    }
    // however the router would still match them
    for (const [m, p] of [['POST', '/AUTH/TOKENS'], ['POST', '/%61uth/tokens/'], ['POST', '/Users/4/Password'], ['POST', '/users/4/%70assword'], ['GET', '/Auth/Tokens']]) {
      expect(need(m, p)).toEqual({ kind: 'credentials' });
    }
    expect(need('POST', '/customers/QUERY')).toEqual({ kind: 'needs', needs: [['customer', 'read']] });
    expect(need('GET', '/customers/export')).toEqual({ kind: 'needs', needs: [['customer', 'read']] });
    expect(need('POST', '/customers/export')).toEqual({ kind: 'needs', needs: [['customer', 'read']] });
    expect(need('POST', '/customers/import/preview')).toEqual({ kind: 'needs', needs: [['customer', 'read']] });
    expect(need('POST', '/customers/Import')).toEqual({ kind: 'needs', needs: [['customer', 'create'], ['customer', 'update']] });
  });

  it('ask for read on every entity a read expands', () => {
    expect(need('GET', '/customers', undefined, { expand: 'contacts,owner2' })).toEqual({ kind: 'needs', needs: [['customer', 'read'], ['contact', 'read'], ['user', 'read']] });
    expect(need('GET', '/contacts/5', undefined, { expand: 'customer' })).toEqual({ kind: 'needs', needs: [['contact', 'read'], ['customer', 'read']] });
    expect(need('GET', '/customers/trash', undefined, { expand: 'contacts' })).toEqual({ kind: 'needs', needs: [['customer', 'read'], ['contact', 'read']] });
    expect(need('POST', '/customers/query', { expand: ['contacts'] })).toEqual({ kind: 'needs', needs: [['customer', 'read'], ['contact', 'read']] });
    expect(need('GET', '/customers', undefined, { expand: 'city' })).toEqual({ kind: 'needs', needs: [['customer', 'read']] });
    // a related tab's list is checked by its route (the tab's entity, its expansions)
    expect(need('GET', '/customers/5/related/contacts', undefined, { expand: 'contacts' })).toEqual({ kind: 'needs', needs: [['customer', 'read']] });
  });

  it("hold records of data forms to the form's entity like the generic routes", () => {
    expect(need('GET', '/forms/leave/records')).toEqual({ kind: 'needs', needs: [['formLeave', 'read']] });
    expect(need('GET', '/forms/leave/records/3', undefined, { expand: 'approver' })).toEqual({ kind: 'needs', needs: [['formLeave', 'read'], ['user', 'read']] });
    expect(need('POST', '/forms/leave/records')).toEqual({ kind: 'needs', needs: [['formLeave', 'create']] });
    expect(need('POST', '/forms/leave/Records/GRID')).toEqual({ kind: 'needs', needs: [['formLeave', 'create']] });
    expect(need('PATCH', '/forms/leave/records/3')).toEqual({ kind: 'needs', needs: [['formLeave', 'update']] });
    expect(need('DELETE', '/forms/leave/records/3')).toEqual({ kind: 'needs', needs: [['formLeave', 'delete']] });
    // form definitions, and forms without records, stay what they were
    expect(need('GET', '/forms/leave')).toEqual({ kind: 'needs', needs: [['*', 'read']] });
    expect(need('PUT', '/forms/leave')).toEqual({ kind: 'needs', needs: [['*', '*']] });
    expect(need('GET', '/forms/nope/records')).toEqual({ kind: 'needs', needs: [['*', 'read']] });
  });

  it('allow by read, write, entity and wildcard scopes', () => {
    expect(scopesAllow(['read'], 'customer', 'read')).toBe(true);
    expect(scopesAllow(['read'], 'customer', 'create')).toBe(false);
    expect(scopesAllow(['read'], '*', '*')).toBe(false);
    expect(scopesAllow(['write'], '*', '*')).toBe(true);
    expect(scopesAllow(['customer:read'], 'customer', 'read')).toBe(true);
    expect(scopesAllow(['customer:read'], 'contact', 'read')).toBe(false);
    expect(scopesAllow(['customer:read'], '*', 'read')).toBe(false);
    expect(scopesAllow(['customer:*'], 'customer', 'delete')).toBe(true);
    expect(scopesAllow(['*:read'], '*', 'read')).toBe(true);
    expect(scopesAllow(['*:read'], 'contact', 'update')).toBe(false);
    expect(scopesAllow([], 'customer', 'read')).toBe(false);
  });

  it('are checked when a token is created', () => {
    const exists = (e: string) => e === 'customer';
    expect(parseScopes(['read', 'customer:update', 'read'], exists)).toEqual({ scopes: ['read', 'customer:update'], errors: [] });
    expect(parseScopes(['nope:read', 'customer:fly', 'READ', 7], exists).errors.map((e) => [e.field, e.rule])).toEqual([
      ['scopes[0]', 'reference'], ['scopes[1]', 'pattern'], ['scopes[2]', 'pattern'], ['scopes[3]', 'pattern'],
    ]);
    expect(parseScopes([], exists).errors[0].rule).toBe('required');
    expect(parseScopes('read', exists).errors[0].rule).toBe('required');
  });
});

describe('password policy', () => {
  const policy = (env: Record<string, string>) => new PasswordPolicy(loadConfig(env).auth);

  it('lists every broken rule', () => {
    const p = policy({ PASSWORD_MIN_LENGTH: '12', PASSWORD_REQUIRE: 'upper,lower,digits,symbols' });
    expect(p.check('abc', 'zed', 'pw').map((e) => e.rule)).toEqual(['minLength', 'upper', 'digits', 'symbols']);
    expect(p.check('Abcdefgh12!?', 'zed', 'pw')).toEqual([]);
    expect(p.check('Zed-is-me-123', 'zed', 'pw').map((e) => e.rule)).toEqual(['username']);
    expect(p.check('x'.repeat(201), 'zed', 'pw').map((e) => e.rule)).toContain('maxLength');
    // non-Latin letters and digits count
    expect(policy({ PASSWORD_REQUIRE: 'letters,digits' }).check('密码密码密码密码密码1', 'zed', 'pw')).toEqual([]);
  });

  it('expires after the configured days, never by default', () => {
    const day = 86_400_000;
    expect(policy({}).expired(0, 10_000 * day)).toBe(false);
    expect(policy({ PASSWORD_EXPIRY_DAYS: '30' }).expired(0, 29 * day)).toBe(false);
    expect(policy({ PASSWORD_EXPIRY_DAYS: '30' }).expired(0, 30 * day)).toBe(true);
  });
});

describe('authentication settings', () => {
  it('have safe defaults', () => {
    const c = loadConfig({});
    expect(c.redis).toBeNull();
    expect(c.trustProxy).toBe(false);
    expect(c.auth).toMatchObject({
      passwordMinLength: 10, passwordRequire: ['letters', 'digits'], passwordExpiryDays: 0, passwordHistory: 5,
      maxFailures: 5, lockMinutes: 15, ipMaxFailures: 50, ipWindowMinutes: 15,
      cookieSecure: 'auto', cookieSameSite: 'Lax', tokenMaxDays: 365, cacheSeconds: 5,
    });
  });

  it('read every variable', () => {
    const c = loadConfig({
      REDIS_URL: 'redis://:pw@cache:6379/2', REDIS_PREFIX: 'crm:', TRUST_PROXY: 'true', PASSWORD_REQUIRE: 'none', COOKIE_SECURE: 'true', COOKIE_SAMESITE: 'Strict',
      LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_MINUTES: '30', LOGIN_IP_MAX_FAILURES: '100', LOGIN_IP_WINDOW_MINUTES: '10', API_TOKEN_MAX_DAYS: '30', AUTH_CACHE_SECONDS: '2',
    });
    expect(c.redis).toEqual({ url: 'redis://:pw@cache:6379/2', prefix: 'crm:' });
    expect(c.trustProxy).toBe(true);
    expect(c.auth).toMatchObject({ passwordRequire: [], cookieSecure: 'always', cookieSameSite: 'Strict', maxFailures: 3, lockMinutes: 30, ipMaxFailures: 100, ipWindowMinutes: 10, tokenMaxDays: 30, cacheSeconds: 2 });
    expect(loadConfig({ COOKIE_SECURE: 'false' }).auth.cookieSecure).toBe('never');
  });

  it.each([
    [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL must be a URL such as redis://host:6379'],
    [{ REDIS_PREFIX: 'a b' }, 'REDIS_PREFIX must be'],
    [{ PASSWORD_MIN_LENGTH: '4' }, 'PASSWORD_MIN_LENGTH must be an integer from 8 to 128 (got "4")'],
    [{ PASSWORD_REQUIRE: 'letters,emoji' }, 'PASSWORD_REQUIRE must be a comma-separated list of letters, upper, lower, digits, symbols (or none)'],
    [{ PASSWORD_HISTORY: '-1' }, 'PASSWORD_HISTORY must be an integer from 0 to 50'],
    [{ LOGIN_MAX_FAILURES: '0' }, 'LOGIN_MAX_FAILURES must be an integer from 1 to 100'],
    [{ COOKIE_SECURE: 'sometimes' }, 'COOKIE_SECURE must be auto, true or false'],
    [{ COOKIE_SAMESITE: 'none' }, 'COOKIE_SAMESITE must be lax or strict'],
    [{ AUTH_CACHE_SECONDS: '600' }, 'AUTH_CACHE_SECONDS must be an integer from 0 to 60'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY must be true or false'],
  ])('refuse %j with one clear line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never show a Redis password in the message', () => {
    expect(() => loadConfig({ REDIS_URL: 'tcp://:s3cret@cache:6379' })).toThrow(/\/\/\*\*\*@cache/);
    expect(() => loadConfig({ REDIS_URL: 'tcp://:s3cret@cache:6379' })).not.toThrow(/s3cret/);
  });
});
