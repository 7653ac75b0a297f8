/** The authentication endpoints in the OpenAPI document (see api/auth.ts). */

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string): Json => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const body = (schema: Json, required = true): Json => ({ required, content: { 'application/json': { schema } } });
const tags = ['auth'];
const id = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };
const retryAfter = { 'Retry-After': { description: 'Seconds until another attempt may succeed', schema: { type: 'integer' } } };
const csrf = 'Cookie sessions: send X-CSRF-Token (the csrfToken of the login, or the plinth_csrf cookie) with every POST/PATCH/DELETE.';

const common = {
  401: problem('Not logged in'),
  403: problem('Not allowed: code forbidden, csrf, password-expired, token-not-allowed or insufficient-scope'),
};
const ended = json(ref('AuthEnded'));

export const authSchemas: Json = {
  AuthLogin: {
    type: 'object', required: ['username', 'password'], additionalProperties: false,
    properties: {
      username: { type: 'string', maxLength: 200 },
      password: { type: 'string', format: 'password', maxLength: 200 },
      cookie: { type: 'boolean', default: false, description: 'Start a browser session: the token goes into an HTTP-only cookie (plinth_session) instead of the body, and csrfToken is returned' },
    },
  },
  AuthSession: {
    type: 'object', required: ['expiresAt', 'passwordExpired', 'user'],
    properties: {
      token: { type: 'string', description: 'Bearer token (absent with cookie: true)' },
      csrfToken: { type: 'string', description: 'With cookie: true — send as X-CSRF-Token on state-changing requests' },
      expiresAt: { type: 'string', format: 'date-time' },
      passwordExpired: { type: 'boolean', description: 'The password has expired or was reset: every call but /auth/me, /auth/password and /auth/logout answers 403 password-expired until it is changed' },
      user: { type: 'object', properties: { id: { type: 'integer' }, username: { type: 'string' }, displayName: { type: 'string' }, isAdmin: { type: 'boolean' } } },
    },
  },
  AuthMe: {
    type: 'object',
    properties: {
      userId: { type: 'integer' }, username: { type: 'string' }, isAdmin: { type: 'boolean' },
      authType: { enum: ['session', 'token'] }, via: { enum: ['bearer', 'cookie'] },
      expiresAt: { type: 'string', format: 'date-time' }, passwordExpired: { type: 'boolean' },
      tokenId: { type: 'integer' }, scopes: { type: 'array', items: { type: 'string' } }, csrfToken: { type: 'string' },
    },
  },
  AuthPasswordPolicy: {
    type: 'object',
    properties: {
      minLength: { type: 'integer' }, maxLength: { type: 'integer' },
      require: { type: 'array', items: { enum: ['letters', 'upper', 'lower', 'digits', 'symbols'] } },
      expiryDays: { type: 'integer', description: '0: passwords do not expire' },
      history: { type: 'integer', description: 'How many of the last passwords cannot be reused' },
    },
  },
  AuthApiToken: {
    type: 'object',
    properties: {
      id: { type: 'integer' }, userId: { type: 'integer' }, name: { type: 'string' },
      scopes: { type: 'array', items: { type: 'string' } },
      createdAt: { type: 'string', format: 'date-time' }, createdBy: { type: ['integer', 'null'] },
      expiresAt: { type: 'string', format: 'date-time' }, lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
      revokedAt: { type: ['string', 'null'], format: 'date-time' }, status: { enum: ['active', 'expired', 'revoked'] },
    },
  },
  AuthApiTokenCreate: {
    type: 'object', required: ['name', 'scopes'], additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 100 },
      scopes: {
        type: 'array', minItems: 1, maxItems: 50,
        items: { type: 'string', pattern: '^(read|write|(\\*|[a-zA-Z][a-zA-Z0-9]*):(\\*|read|create|update|delete))$' },
        description: 'read; write; or <entity>:<action> (entity or * ; action read, create, update, delete or *). Scopes narrow the user\'s rights, never widen them.',
      },
      expiresAt: { type: 'string', format: 'date-time', description: 'At most API_TOKEN_MAX_DAYS away' },
      expiresInDays: { type: 'integer', minimum: 1, description: 'Instead of expiresAt; default 90 (or API_TOKEN_MAX_DAYS if lower)' },
      userId: { type: 'integer', description: 'Administrators only: the user the token acts as' },
    },
  },
  AuthApiTokenCreated: { allOf: [ref('AuthApiToken'), { type: 'object', required: ['token'], properties: { token: { type: 'string', description: 'The secret, shown this once' } } }] },
  AuthEnded: { type: 'object', properties: { sessions: { type: 'integer' }, tokens: { type: 'integer' } } },
};

export const authPaths: Json = {
  '/api/v1/auth/login': {
    post: {
      tags, summary: 'Log in with a password', operationId: 'login', security: [],
      description: 'A new session (new id) every time; with cookie: true the browser\'s previous session ends. Failed logins are counted per username (unknown names too) and per address.',
      requestBody: body(ref('AuthLogin')),
      responses: {
        200: json(ref('AuthSession')),
        400: problem('Missing or malformed fields'),
        401: problem('Wrong username or password (code invalid-credentials)'),
        423: { ...problem('Too many failed logins for this username: locked (code account-locked)'), headers: retryAfter },
        429: { ...problem('Too many failed logins from this address (code too-many-attempts)'), headers: retryAfter },
      },
    },
  },
  '/api/v1/auth/logout': { post: { tags, summary: 'End this session (or revoke this API token)', description: csrf, operationId: 'logout', responses: { 204: { description: 'Logged out; a session cookie is cleared' }, ...common } } },
  '/api/v1/auth/logout-all': {
    post: {
      tags, summary: 'Log out everywhere: every session of the caller, and their API tokens when asked', operationId: 'logoutEverywhere', description: csrf,
      requestBody: body({ type: 'object', additionalProperties: false, properties: { tokens: { type: 'boolean', default: false } } }, false),
      responses: { 200: ended, ...common },
    },
  },
  '/api/v1/auth/me': { get: { tags, summary: 'Who am I, and how', operationId: 'me', responses: { 200: json(ref('AuthMe')), 401: problem('Not logged in') } } },
  '/api/v1/auth/password-policy': { get: { tags, summary: 'The password rules', operationId: 'passwordPolicy', security: [], responses: { 200: json(ref('AuthPasswordPolicy')) } } },
  '/api/v1/auth/password': {
    post: {
      tags, summary: 'Change my password', operationId: 'changePassword',
      description: `Needs the current password (a wrong one counts as a failed login). Every other session of the user ends. ${csrf}`,
      requestBody: body({ type: 'object', required: ['currentPassword', 'newPassword'], additionalProperties: false, properties: { currentPassword: { type: 'string', format: 'password' }, newPassword: { type: 'string', format: 'password' } } }),
      responses: { 204: { description: 'Changed' }, 400: problem('Wrong current password, or errors[] lists every rule the new one breaks (minLength, letters, upper, lower, digits, symbols, username, history)'), 423: { ...problem('Locked after too many failures'), headers: retryAfter }, ...common },
    },
  },
  '/api/v1/auth/tokens': {
    get: {
      tags, summary: 'List API tokens (never their secrets)', operationId: 'listTokens',
      parameters: [{ name: 'userId', in: 'query', schema: { type: 'integer' }, description: 'Administrators: another user\'s tokens' }, { name: 'all', in: 'query', schema: { type: 'boolean' }, description: 'Administrators: everyone\'s tokens' }],
      responses: { 200: json({ type: 'object', properties: { data: { type: 'array', items: ref('AuthApiToken') } } }), ...common },
    },
    post: {
      tags, summary: 'Create an API token', operationId: 'createToken', description: `Only the SHA-256 of the token is stored. ${csrf}`,
      requestBody: body(ref('AuthApiTokenCreate')),
      responses: { 201: json(ref('AuthApiTokenCreated'), 'Created'), 400: problem('Invalid name, scopes or expiry'), ...common, 404: problem('No such active user') },
    },
  },
  '/api/v1/auth/tokens/{id}': {
    delete: { tags, summary: 'Revoke an API token (yours; administrators: anyone\'s)', operationId: 'revokeToken', parameters: [id], responses: { 204: { description: 'Revoked (or already was)' }, ...common, 404: problem('No such token of yours') } },
  },
  '/api/v1/users/{id}/password': {
    post: {
      tags, summary: 'Reset a user\'s password (administrators; branch administrators within their branch)', operationId: 'resetPassword',
      description: `Policy and history apply. The user's lock-out is lifted and every session of theirs ends. ${csrf}`,
      parameters: [id],
      requestBody: body({
        type: 'object', required: ['password'], additionalProperties: false,
        properties: {
          password: { type: 'string', format: 'password' },
          mustChange: { type: 'boolean', default: true, description: 'The user must choose a new password at the next login' },
          revokeTokens: { type: 'boolean', default: false, description: 'Also revoke the user\'s API tokens' },
        },
      }),
      responses: { 200: ended, 400: problem('errors[] lists every rule the password breaks'), ...common, 404: problem('No such user') },
    },
  },
  '/api/v1/users/{id}/unlock': {
    post: { tags, summary: 'Lift a user\'s lock-out after failed logins', operationId: 'unlockUser', parameters: [id], responses: { 200: json({ type: 'object', properties: { unlocked: { type: 'boolean', description: 'false: was not locked' } } }), ...common, 404: problem('No such user') } },
  },
  '/api/v1/users/{id}/logout': {
    post: {
      tags, summary: 'Log a user out everywhere (and revoke their API tokens when asked)', operationId: 'logoutUser', parameters: [id],
      requestBody: body({ type: 'object', additionalProperties: false, properties: { tokens: { type: 'boolean', default: false } } }, false),
      responses: { 200: ended, ...common, 404: problem('No such user') },
    },
  },
};
