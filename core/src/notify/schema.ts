import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';

const keep = { ignoreSchemaChanges: ['default'] };

/**
 * One row per recipient of an in-app notification. Unread counts and pages are answered
 * from the (recipient, read_at, id) index; read rows older than the retention are purged.
 */
export const notificationSchema = new EntitySchema({
  name: 'PlinthNotification',
  tableName: 'plinth_notifications',
  indexes: [{ name: 'idx_plinth_notifications_recipient', properties: ['recipientId', 'readAt', 'id'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true, unsigned: true },
    recipientId: { type: 'integer', fieldName: 'recipient_id' },
    kind: { type: 'string', length: 120 },
    title: { type: 'string', length: 200 },
    body: { type: 'text', nullable: true, ...keep },
    link: { type: 'string', length: 500, nullable: true, ...keep },
    senderId: { type: 'integer', fieldName: 'sender_id', nullable: true, ...keep },
    createdAt: { type: 'string', length: 30, fieldName: 'created_at' },
    readAt: { type: 'string', length: 30, fieldName: 'read_at', nullable: true, ...keep },
  },
} as unknown as EntitySchemaMetadata<Record<string, unknown>>);
