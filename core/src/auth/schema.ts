import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';

const schema = (meta: Record<string, unknown>) => new EntitySchema(meta as unknown as EntitySchemaMetadata<Record<string, unknown>>);
const keep = { ignoreSchemaChanges: ['default'] };

/**
 * Passwords of users (the `user` entity), kept out of every API. Lock-out lives in
 * plinth_login_throttle (keyed by username, so unknown usernames are locked exactly like
 * real ones).
 */
export const credentialSchema = schema({
  name: 'PlinthCredential',
  tableName: 'plinth_credentials',
  properties: {
    userId: { type: 'integer', primary: true, autoincrement: false, fieldName: 'user_id' },
    passwordHash: { type: 'string', length: 255, fieldName: 'password_hash' },
    passwordChangedAt: { type: 'string', length: 30, fieldName: 'password_changed_at' },
    /** Set by an administrator's reset: the user must choose a new password before anything else. */
    mustChange: { type: 'integer', fieldName: 'must_change', default: 0, ...keep },
  },
});

/** Earlier password hashes of a user, newest first by id; the current one included. */
export const passwordHistorySchema = schema({
  name: 'PlinthPasswordHistory',
  tableName: 'plinth_password_history',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true, unsigned: true },
    userId: { type: 'integer', fieldName: 'user_id', index: 'idx_plinth_password_history_user' },
    passwordHash: { type: 'string', length: 255, fieldName: 'password_hash' },
    createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
  },
});

/** Login sessions when no Redis is configured; only the SHA-256 of a session token is stored. */
export const sessionSchema = schema({
  name: 'PlinthSession',
  tableName: 'plinth_sessions',
  properties: {
    tokenHash: { type: 'string', length: 64, primary: true, fieldName: 'token_hash' },
    userId: { type: 'integer', fieldName: 'user_id', index: 'idx_plinth_sessions_user_id' },
    createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
    expiresAt: { type: 'string', length: 30, fieldName: 'expires_at', index: 'idx_plinth_sessions_expires' },
  },
});

/** API tokens for integrations: named, scoped, expiring, revocable; only the hash is stored. */
export const apiTokenSchema = schema({
  name: 'PlinthApiToken',
  tableName: 'plinth_api_tokens',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true, unsigned: true },
    userId: { type: 'integer', fieldName: 'user_id', index: 'idx_plinth_api_tokens_user' },
    name: { type: 'string', length: 100 },
    tokenHash: { type: 'string', length: 64, fieldName: 'token_hash', unique: 'uq_plinth_api_tokens_hash' },
    scopes: { type: 'string', length: 2000 },
    createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
    createdBy: { type: 'integer', fieldName: 'created_by', nullable: true, ...keep },
    expiresAt: { type: 'string', length: 30, fieldName: 'expires_at' },
    lastUsedAt: { type: 'string', length: 30, fieldName: 'last_used_at', nullable: true, ...keep },
    revokedAt: { type: 'string', length: 30, fieldName: 'revoked_at', nullable: true, ...keep },
    revokedBy: { type: 'integer', fieldName: 'revoked_by', nullable: true, ...keep },
  },
});

/**
 * Failed-login counters, by username and by IP address (the key is a hash of either),
 * shared by every node through the database.
 */
export const loginThrottleSchema = schema({
  name: 'PlinthLoginThrottle',
  tableName: 'plinth_login_throttle',
  properties: {
    keyHash: { type: 'string', length: 64, primary: true, fieldName: 'key_hash' },
    failures: { type: 'integer', default: 0, ...keep },
    windowStart: { type: 'string', length: 30, fieldName: 'window_start' },
    lockedUntil: { type: 'string', length: 30, fieldName: 'locked_until', nullable: true, ...keep },
  },
});

export const AUTH_SCHEMAS = [credentialSchema, passwordHistorySchema, sessionSchema, apiTokenSchema, loginThrottleSchema];
