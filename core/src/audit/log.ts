import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';
import type { Actor } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { nowDb, fromDbDateTime } from '../data/codec';
import { batches, paramBytes } from '../data/batches';

/**
 * The operation log: append-only (no update or delete path exists in the API). A change
 * of a wide record (hundreds of custom fields) outgrows MySQL's 64 KB TEXT: MEDIUMTEXT there.
 */
export const auditSchema = (kind: 'sqlite' | 'mysql') => new EntitySchema({
  name: 'PlinthAudit',
  tableName: 'plinth_audit_log',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true, unsigned: true },
    at: { type: 'string', length: 30 },
    userId: { type: 'integer', fieldName: 'user_id', nullable: true, ignoreSchemaChanges: ['default'] },
    username: { type: 'string', length: 64, nullable: true, ignoreSchemaChanges: ['default'] },
    ip: { type: 'string', length: 64, nullable: true, ignoreSchemaChanges: ['default'] },
    requestId: { type: 'string', length: 64, fieldName: 'request_id', nullable: true, ignoreSchemaChanges: ['default'] },
    action: { type: 'string', length: 32 },
    entity: { type: 'string', length: 64, nullable: true, ignoreSchemaChanges: ['default'] },
    recordId: { type: 'integer', fieldName: 'record_id', nullable: true, ignoreSchemaChanges: ['default'] },
    changes: { type: 'text', columnType: kind === 'mysql' ? 'mediumtext' : 'text', nullable: true, ignoreSchemaChanges: ['default'] },
    detail: { type: 'string', length: 500, nullable: true, ignoreSchemaChanges: ['default'] },
  },
  indexes: [
    { properties: ['entity', 'recordId'], name: 'idx_plinth_audit_record' },
    { properties: ['at'], name: 'idx_plinth_audit_at' },
    { properties: ['userId', 'at'], name: 'idx_plinth_audit_user' },
  ],
} as unknown as EntitySchemaMetadata<Record<string, unknown>>);

export type AuditAction = 'create' | 'update' | 'delete' | 'restore' | 'purge' | 'login' | 'login-failed' | 'logout' | 'denied' | 'password' | (string & {});

export interface AuditEntry {
  action: AuditAction;
  entity?: string | null;
  recordId?: number | null;
  /** Changed fields: before and after (sensitive values already masked). */
  changes?: Record<string, { before: unknown; after: unknown }> | null;
  detail?: string | null;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
  userId: number | null;
  username: string | null;
  ip: string | null;
  requestId: string | null;
}

export const MASK = '***';

const INSERT = 'INSERT INTO plinth_audit_log (at, user_id, username, ip, request_id, action, entity, record_id, changes, detail) VALUES';
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/**
 * Writes the operation log. Record changes are written with the executor of the
 * change's own transaction, so a rolled-back change leaves no row claiming it happened.
 */
export class AuditLog {
  constructor(private readonly db: Executor) {}

  async write(db: Executor, actor: Actor, entry: AuditEntry): Promise<void> {
    await this.writeMany(db, actor, [entry]);
  }

  /** Several entries of one actor, several to a statement (a bulk create or an import). */
  async writeMany(db: Executor, actor: Actor, entries: readonly AuditEntry[]): Promise<void> {
    const at = nowDb();
    const rows = entries.map((entry) => [
      at,
      actor.userId,
      actor.username,
      actor.origin?.ip ?? null,
      actor.origin?.requestId ?? null,
      entry.action,
      entry.entity ?? null,
      entry.recordId ?? null,
      entry.changes ? JSON.stringify(entry.changes) : null,
      entry.detail ? entry.detail.slice(0, 500) : null,
    ]);
    for (const run of batches(rows, (r) => ({ params: r.length, bytes: r.reduce<number>((n, v) => n + paramBytes(v), 0) }))) {
      await db.run(`${INSERT} ${run.items.map(() => ROW).join(', ')}`, run.items.flat());
    }
  }

  /** Events outside a record transaction (logins, denials). */
  event(actor: Actor, entry: AuditEntry): Promise<void> {
    return this.write(this.db, actor, entry);
  }

  async history(entity: string, recordId: number, limit = 200): Promise<AuditRecord[]> {
    const rows = await this.db.all<Record<string, unknown>>(
      'SELECT id, at, user_id, username, ip, request_id, action, entity, record_id, changes, detail FROM plinth_audit_log WHERE entity = ? AND record_id = ? ORDER BY id DESC LIMIT ?',
      [entity, recordId, limit],
    );
    return rows.map(decodeAudit);
  }
}

export function decodeAudit(r: Record<string, unknown>): AuditRecord {
  return {
    id: Number(r.id),
    at: fromDbDateTime(r.at) ?? '',
    userId: r.user_id === null ? null : Number(r.user_id),
    username: (r.username as string | null) ?? null,
    ip: (r.ip as string | null) ?? null,
    requestId: (r.request_id as string | null) ?? null,
    action: r.action as string,
    entity: (r.entity as string | null) ?? null,
    recordId: r.record_id === null ? null : Number(r.record_id),
    changes: typeof r.changes === 'string' ? (JSON.parse(r.changes) as AuditRecord['changes']) : null,
    detail: (r.detail as string | null) ?? null,
  };
}
