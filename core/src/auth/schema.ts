import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';

const schema = (meta: Record<string, unknown>) => new EntitySchema(meta as unknown as EntitySchemaMetadata<Record<string, unknown>>);
const keep = { ignoreSchemaChanges: ['default'] };

/** Passwords and login state of users (the `user` entity), kept out of every API. */
export const credentialSchema = schema({
  name: 'PlinthCredential',
  tableName: 'plinth_credentials',
  properties: {
    userId: { type: 'integer', primary: true, autoincrement: false, fieldName: 'user_id' },
    passwordHash: { type: 'string', length: 255, fieldName: 'password_hash' },
    passwordChangedAt: { type: 'string', length: 30, fieldName: 'password_changed_at' },
    failedLogins: { type: 'integer', fieldName: 'failed_logins', default: 0, ...keep },
    lockedUntil: { type: 'string', length: 30, fieldName: 'locked_until', nullable: true, ...keep },
  },
});

/** Login sessions / bearer tokens; only the SHA-256 of a token is stored. */
export const sessionSchema = schema({
  name: 'PlinthSession',
  tableName: 'plinth_sessions',
  properties: {
    tokenHash: { type: 'string', length: 64, primary: true, fieldName: 'token_hash' },
    userId: { type: 'integer', fieldName: 'user_id', index: 'idx_plinth_sessions_user_id' },
    createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
    expiresAt: { type: 'string', length: 30, fieldName: 'expires_at' },
  },
});
