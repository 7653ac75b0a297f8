import { NotFoundError, ValidationError, type Actor, type FieldError } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { fromDbDateTime, nowDb, toDbDateTime } from '../data/codec';

export interface Delegation {
  id: number;
  userId: number;
  delegateId: number;
  flow: string | null;
  startsAt: string;
  endsAt: string;
}

/**
 * Standing delegations (委托, e.g. while on leave): from `startsAt` to `endsAt`, tasks that
 * would be a user's — of one flow or of all — are given to their delegate when created.
 */
export class FlowDelegations {
  constructor(private readonly db: Executor) {}

  async list(actor: Actor): Promise<Delegation[]> {
    const rows = await this.db.all<Record<string, unknown>>('SELECT id, user_id, delegate_id, flow, starts_at, ends_at FROM plinth_flow_delegations WHERE user_id = ? ORDER BY id DESC', [actor.userId]);
    return rows.map((r) => ({ id: Number(r.id), userId: Number(r.user_id), delegateId: Number(r.delegate_id), flow: (r.flow as string | null) ?? null, startsAt: fromDbDateTime(r.starts_at)!, endsAt: fromDbDateTime(r.ends_at)! }));
  }

  async create(actor: Actor, body: Record<string, unknown>, userExists: (id: number) => Promise<boolean>): Promise<Delegation> {
    const errors: FieldError[] = [];
    const { delegate, flow, startsAt, endsAt } = body;
    if (!Number.isInteger(delegate) || (delegate as number) < 1) errors.push({ field: 'delegate', rule: 'required', message: 'delegate: the user id who takes the tasks' });
    else if (delegate === actor.userId) errors.push({ field: 'delegate', rule: 'self', message: 'You cannot delegate to yourself' });
    else if (!(await userExists(delegate as number))) errors.push({ field: 'delegate', rule: 'reference', message: `No active user ${String(delegate)}` });
    if (flow !== undefined && flow !== null && (typeof flow !== 'string' || flow.length > 32)) errors.push({ field: 'flow', rule: 'type', message: 'flow is a flow code' });
    const start = typeof startsAt === 'string' ? Date.parse(startsAt) : NaN;
    const end = typeof endsAt === 'string' ? Date.parse(endsAt) : NaN;
    const unknown = Object.keys(body).filter((k) => !['delegate', 'flow', 'startsAt', 'endsAt'].includes(k));
    for (const k of unknown) errors.push({ field: k, rule: 'unknown', message: `A delegation has delegate, flow, startsAt, endsAt; not ${k}` });
    if (Number.isNaN(start)) errors.push({ field: 'startsAt', rule: 'format', message: 'startsAt is an ISO 8601 date-time' });
    if (Number.isNaN(end)) errors.push({ field: 'endsAt', rule: 'format', message: 'endsAt is an ISO 8601 date-time' });
    else if (!Number.isNaN(start) && end <= start) errors.push({ field: 'endsAt', rule: 'range', message: 'endsAt comes after startsAt' });
    if (errors.length) throw new ValidationError(errors);
    const { insertId } = await this.db.run('INSERT INTO plinth_flow_delegations (user_id, delegate_id, flow, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      actor.userId, delegate, flow ?? null, toDbDateTime(new Date(start).toISOString()), toDbDateTime(new Date(end).toISOString()), nowDb(),
    ]);
    return (await this.list(actor)).find((d) => d.id === insertId)!;
  }

  async delete(actor: Actor, id: number): Promise<void> {
    const { affectedRows } = await this.db.run('DELETE FROM plinth_flow_delegations WHERE id = ? AND user_id = ?', [id, actor.userId]);
    if (affectedRows !== 1) throw new NotFoundError(`No delegation ${id}`);
  }
}
