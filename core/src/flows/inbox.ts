import { ValidationError, type Actor } from '@plinth/sdk';
import type { Executor, Row } from '../data/database';
import { fromDbDateTime } from '../data/codec';

export type InboxBox = 'todo' | 'done' | 'started' | 'cc';
export const INBOX_BOXES: readonly InboxBox[] = ['todo', 'done', 'started', 'cc'];

export interface Page {
  limit: number;
  offset: number;
}

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const taskItem = (r: Row) => ({
  task: Number(r.task_id),
  kind: r.kind as string,
  status: r.task_status as string,
  decision: (r.decision as string | null) ?? null,
  urged: Number(r.urged ?? 0),
  delegatedFrom: n(r.delegated_from),
  createdAt: fromDbDateTime(r.created_at),
  decidedAt: fromDbDateTime(r.decided_at),
  node: { id: Number(r.node_id), key: String(r.node_key), name: String(r.node_name), dueAt: fromDbDateTime(r.due_at), warnAt: fromDbDateTime(r.warn_at) },
  instance: { id: Number(r.instance_id), title: String(r.title), flow: String(r.definition_code), status: String(r.instance_status), initiator: n(r.initiator), startedAt: fromDbDateTime(r.started_at) },
});

const TASK_SELECT = `SELECT t.id AS task_id, t.kind, t.status AS task_status, t.decision, t.urged, t.delegated_from, t.created_at, t.decided_at,
  nd.id AS node_id, nd.node_key, nd.name AS node_name, nd.due_at, nd.warn_at,
  i.id AS instance_id, i.title, i.definition_code, i.status AS instance_status, i.initiator, i.started_at
  FROM plinth_flow_tasks t JOIN plinth_flow_nodes nd ON nd.id = t.node_id JOIN plinth_flow_instances i ON i.id = t.instance_id`;

/** A user's flow inbox: to do, done, started by them, and notices (抄送/只读) — with counts. */
export class FlowInbox {
  constructor(private readonly db: Executor) {}

  static page(query: Record<string, unknown>): Page {
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    const offset = query.offset === undefined ? 0 : Number(query.offset);
    const errors = [];
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) errors.push({ field: 'limit', rule: 'range', message: 'limit is 1–200' });
    if (!Number.isInteger(offset) || offset < 0) errors.push({ field: 'offset', rule: 'range', message: 'offset is 0 or more' });
    if (errors.length) throw new ValidationError(errors);
    return { limit, offset };
  }

  async list(actor: Actor, box: InboxBox, page: Page) {
    const me = actor.userId ?? -1;
    const lim = `LIMIT ${page.limit} OFFSET ${page.offset}`;
    switch (box) {
      case 'todo':
        return (await this.db.all(`${TASK_SELECT} WHERE t.assignee = ? AND t.status = 'pending' ORDER BY t.id DESC ${lim}`, [me])).map(taskItem);
      case 'done':
        return (await this.db.all(`${TASK_SELECT} WHERE t.decided_by = ? AND t.status = 'done' ORDER BY t.decided_at DESC, t.id DESC ${lim}`, [me])).map(taskItem);
      case 'cc':
        return (await this.db.all(`${TASK_SELECT} WHERE t.assignee = ? AND t.kind = 'notify' ORDER BY t.id DESC ${lim}`, [me])).map(taskItem);
      case 'started': {
        const rows = await this.db.all(`SELECT id, title, definition_code, status, started_at, ended_at FROM plinth_flow_instances WHERE initiator = ? AND parent_id IS NULL ORDER BY id DESC ${lim}`, [me]);
        return rows.map((r) => ({ instance: { id: Number(r.id), title: String(r.title), flow: String(r.definition_code), status: String(r.status), startedAt: fromDbDateTime(r.started_at), endedAt: fromDbDateTime(r.ended_at) } }));
      }
    }
  }

  async counts(actor: Actor): Promise<Record<'todo' | 'done' | 'started' | 'cc' | 'ccUnread' | 'urged', number>> {
    const me = actor.userId ?? -1;
    const [t] = await this.db.all<Record<string, unknown>>(
      `SELECT
        SUM(CASE WHEN assignee = ? AND status = 'pending' THEN 1 ELSE 0 END) AS todo,
        SUM(CASE WHEN assignee = ? AND status = 'pending' AND urged > 0 THEN 1 ELSE 0 END) AS urged,
        SUM(CASE WHEN decided_by = ? AND status = 'done' THEN 1 ELSE 0 END) AS done,
        SUM(CASE WHEN assignee = ? AND kind = 'notify' THEN 1 ELSE 0 END) AS cc,
        SUM(CASE WHEN assignee = ? AND status = 'unread' THEN 1 ELSE 0 END) AS cc_unread
       FROM plinth_flow_tasks WHERE assignee = ? OR decided_by = ?`,
      [me, me, me, me, me, me, me],
    );
    const [s] = await this.db.all<Record<string, unknown>>('SELECT COUNT(*) AS started FROM plinth_flow_instances WHERE initiator = ? AND parent_id IS NULL', [me]);
    const num = (v: unknown) => Number(v ?? 0);
    return { todo: num(t?.todo), done: num(t?.done), started: num(s?.started), cc: num(t?.cc), ccUnread: num(t?.cc_unread), urged: num(t?.urged) };
  }

  /** The work log: work reports filed on handling tasks, newest first. */
  async workLog(userId: number, page: Page) {
    const rows = await this.db.all(`${TASK_SELECT.replace('t.decided_at', 't.decided_at, t.report, t.comment')} WHERE t.decided_by = ? AND t.report IS NOT NULL ORDER BY t.decided_at DESC, t.id DESC LIMIT ${page.limit} OFFSET ${page.offset}`, [userId]);
    return rows.map((r) => ({ ...taskItem(r), comment: (r.comment as string | null) ?? null, report: JSON.parse(String(r.report)) as Record<string, unknown> }));
  }
}
