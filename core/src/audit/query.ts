import { ForbiddenError, ValidationError, type Actor, type FieldError } from '@plinth/sdk';
import type { RecordStore } from '../services/records';
import { decodeAudit, type AuditRecord } from './log';
import { toDbDateTime } from '../data/codec';

/** Grants name this in place of an entity to allow reading the operation log. */
export const AUDIT_LOG_RESOURCE = 'auditLog';

const FILTERS: Record<string, { column: string; kind: 'int' | 'text' | 'from' | 'to' }> = {
  entity: { column: 'entity', kind: 'text' },
  recordId: { column: 'record_id', kind: 'int' },
  userId: { column: 'user_id', kind: 'int' },
  action: { column: 'action', kind: 'text' },
  requestId: { column: 'request_id', kind: 'text' },
  from: { column: 'at', kind: 'from' },
  to: { column: 'at', kind: 'to' },
};

/** The filters the log takes, and `limit` and `before` (paging back). */
export const AUDIT_QUERY_KEYS = [...Object.keys(FILTERS), 'limit', 'before'];

export interface AuditPage {
  data: AuditRecord[];
  meta: { limit: number; nextBefore: number | null };
}

/**
 * The operation log, newest first, filtered by entity, record, user, action, request id
 * and time; `before=<id>` pages back. Reading it needs a grant on `auditLog`. The REST API
 * and the log viewer page both read through this.
 */
export async function queryAuditLog(store: RecordStore, actor: Actor, query: Readonly<Record<string, unknown>>): Promise<AuditPage> {
  const access = await store.access.profile(actor);
  if (!access.can(AUDIT_LOG_RESOURCE, 'read')) throw new ForbiddenError('You may not read the operation log');
  const where: string[] = [];
  const params: unknown[] = [];
  const errors: FieldError[] = [];
  let limit = 50;
  for (const [key, raw] of Object.entries(query)) {
    if (typeof raw !== 'string') {
      errors.push({ field: key, rule: 'type', message: `${key} must be given once` });
      continue;
    }
    if (key === 'limit' || key === 'before') {
      if (!/^\d{1,9}$/.test(raw) || (key === 'limit' && (Number(raw) < 1 || Number(raw) > 500))) errors.push({ field: key, rule: 'range', message: `${key} must be a positive integer${key === 'limit' ? ' up to 500' : ''}` });
      else if (key === 'limit') limit = Number(raw);
      else {
        where.push('id < ?');
        params.push(Number(raw));
      }
      continue;
    }
    const f = FILTERS[key];
    if (!f) {
      errors.push({ field: key, rule: 'unknown-parameter', message: `Unknown parameter ${key}; use ${AUDIT_QUERY_KEYS.join(', ')}` });
      continue;
    }
    if (f.kind === 'int') {
      if (!/^\d{1,10}$/.test(raw)) errors.push({ field: key, rule: 'type', message: `${key} must be an integer` });
      where.push(`${f.column} = ?`);
      params.push(Number(raw));
    } else if (f.kind === 'text') {
      where.push(`${f.column} = ?`);
      params.push(raw);
    } else {
      if (Number.isNaN(Date.parse(raw))) errors.push({ field: key, rule: 'format', message: `${key} must be an ISO 8601 date-time` });
      else {
        where.push(`${f.column} ${f.kind === 'from' ? '>=' : '<='} ?`);
        params.push(toDbDateTime(raw));
      }
    }
  }
  if (errors.length) throw new ValidationError(errors, 'The query string is invalid');
  const rows = await store.db.all<Record<string, unknown>>(
    `SELECT id, at, user_id, username, ip, request_id, action, entity, record_id, changes, detail FROM plinth_audit_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    [...params, limit],
  );
  const data = rows.map(decodeAudit);
  return { data, meta: { limit, nextBefore: data.length === limit ? data[data.length - 1].id : null } };
}
