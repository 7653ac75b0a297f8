import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';

const schema = (meta: Record<string, unknown>) => new EntitySchema(meta as unknown as EntitySchemaMetadata<Record<string, unknown>>);

/** Platform accounts. The org plugin (a later issue) links members to them. */
export const userSchema = schema({
  name: 'PlinthUser',
  tableName: 'plinth_users',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true, unsigned: true },
    username: { type: 'string', length: 64, unique: 'uq_plinth_users_username' },
    displayName: { type: 'string', length: 100, fieldName: 'display_name' },
    passwordHash: { type: 'string', length: 255, fieldName: 'password_hash' },
    isAdmin: { type: 'boolean', fieldName: 'is_admin', default: false },
    disabled: { type: 'boolean', default: false },
    createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
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
