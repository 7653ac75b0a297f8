import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';

/** One row per (user, key): a workspace setting (list columns, desktop layout …) as JSON. */
export const preferenceSchema = new EntitySchema({
  name: 'PlinthPreference',
  tableName: 'plinth_preferences',
  properties: {
    userId: { type: 'integer', fieldName: 'user_id', primary: true },
    key: { type: 'string', length: 100, fieldName: 'pref_key', primary: true },
    value: { type: 'text' },
    updatedAt: { type: 'string', length: 30, fieldName: 'updated_at' },
  },
} as unknown as EntitySchemaMetadata<Record<string, unknown>>);

/** A saved list view: filter, sort and columns under a name, personal or shared. */
export const savedViewSchema = new EntitySchema({
  name: 'PlinthSavedView',
  tableName: 'plinth_saved_views',
  indexes: [{ properties: ['entity', 'ownerId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    entity: { type: 'string', length: 64 },
    name: { type: 'string', length: 100 },
    ownerId: { type: 'integer', fieldName: 'owner_id' },
    shared: { type: 'boolean', default: false },
    query: { type: 'text' },
    version: { type: 'integer', default: 1 },
    createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
    updatedAt: { type: 'string', length: 30, fieldName: 'updated_at' },
  },
} as unknown as EntitySchemaMetadata<Record<string, unknown>>);

export const prefsSchemas = [preferenceSchema, savedViewSchema];
