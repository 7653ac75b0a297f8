import type { Executor, Row } from '../data/database';
import { fromDbDateTime, nowDb, toDbDateTime } from '../data/codec';
import type { ChosenHandlers } from './choice';
import type { Decision, InstanceStatus, NodeStatus, TaskKind, TaskStatus } from './types';

export interface InstanceRow {
  id: number;
  definitionCode: string;
  definitionVersion: number;
  title: string;
  status: InstanceStatus;
  initiator: number | null;
  form: string | null;
  formVersion: number | null;
  entity: string | null;
  recordId: number | null;
  data: Record<string, unknown>;
  overrides: InstanceOverrides | null;
  parentId: number | null;
  parentNode: number | null;
  version: number;
  startedAt: string;
  endedAt: string | null;
  /** Official documents (WF-11): filed away, or destroyed (the data gone, the trail a tombstone). */
  archivedAt: string | null;
  destroyedAt: string | null;
}

/** What an initiator chose: handlers of nodes (predefined model) or a whole route (custom model). */
export interface InstanceOverrides {
  handlers?: Record<string, ChosenHandlers>;
  graph?: unknown;
}

export interface NodeRow {
  id: number;
  instanceId: number;
  nodeKey: string;
  kind: string;
  name: string;
  visit: number;
  status: NodeStatus;
  outcome: string | null;
  arrivals: number;
  childId: number | null;
  enteredAt: string;
  leftAt: string | null;
  warnAt: string | null;
  dueAt: string | null;
}

export interface TaskRow {
  id: number;
  instanceId: number;
  nodeId: number;
  kind: TaskKind;
  assignee: number;
  delegatedFrom: number | null;
  parentTask: number | null;
  seq: number;
  status: TaskStatus;
  decision: Decision | null;
  comment: string | null;
  report: Record<string, unknown> | null;
  urged: number;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: number | null;
}

export interface EventRow {
  id: number;
  instanceId: number;
  nodeId: number | null;
  taskId: number | null;
  at: string;
  userId: number | null;
  action: string;
  detail: Record<string, unknown> | null;
}

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : (JSON.parse(String(v)) as T));

export const decodeInstance = (r: Row): InstanceRow => ({
  id: Number(r.id),
  definitionCode: String(r.definition_code),
  definitionVersion: Number(r.definition_version),
  title: String(r.title),
  status: r.status as InstanceStatus,
  initiator: n(r.initiator),
  form: (r.form as string | null) ?? null,
  formVersion: n(r.form_version),
  entity: (r.entity as string | null) ?? null,
  recordId: n(r.record_id),
  data: json<Record<string, unknown>>(r.data) ?? {},
  overrides: json<InstanceOverrides>(r.overrides),
  parentId: n(r.parent_id),
  parentNode: n(r.parent_node),
  version: Number(r.version),
  startedAt: fromDbDateTime(r.started_at) ?? '',
  endedAt: fromDbDateTime(r.ended_at),
  archivedAt: fromDbDateTime(r.archived_at),
  destroyedAt: fromDbDateTime(r.destroyed_at),
});

export const decodeNode = (r: Row): NodeRow => ({
  id: Number(r.id),
  instanceId: Number(r.instance_id),
  nodeKey: String(r.node_key),
  kind: String(r.kind),
  name: String(r.name),
  visit: Number(r.visit),
  status: r.status as NodeStatus,
  outcome: (r.outcome as string | null) ?? null,
  arrivals: Number(r.arrivals ?? 0),
  childId: n(r.child_id),
  enteredAt: fromDbDateTime(r.entered_at) ?? '',
  leftAt: fromDbDateTime(r.left_at),
  warnAt: fromDbDateTime(r.warn_at),
  dueAt: fromDbDateTime(r.due_at),
});

export const decodeTask = (r: Row): TaskRow => ({
  id: Number(r.id),
  instanceId: Number(r.instance_id),
  nodeId: Number(r.node_id),
  kind: r.kind as TaskKind,
  assignee: Number(r.assignee),
  delegatedFrom: n(r.delegated_from),
  parentTask: n(r.parent_task),
  seq: Number(r.seq ?? 0),
  status: r.status as TaskStatus,
  decision: (r.decision as Decision | null) ?? null,
  comment: (r.comment as string | null) ?? null,
  report: json<Record<string, unknown>>(r.report),
  urged: Number(r.urged ?? 0),
  createdAt: fromDbDateTime(r.created_at) ?? '',
  decidedAt: fromDbDateTime(r.decided_at),
  decidedBy: n(r.decided_by),
});

export const decodeEvent = (r: Row): EventRow => ({
  id: Number(r.id),
  instanceId: Number(r.instance_id),
  nodeId: n(r.node_id),
  taskId: n(r.task_id),
  at: fromDbDateTime(r.at) ?? '',
  userId: n(r.user_id),
  action: String(r.action),
  detail: json<Record<string, unknown>>(r.detail),
});

export const INSTANCE_COLUMNS = 'id, definition_code, definition_version, title, status, initiator, form, form_version, entity, record_id, data, overrides, parent_id, parent_node, version, started_at, ended_at, archived_at, destroyed_at';
export const NODE_COLUMNS = 'id, instance_id, node_key, kind, name, visit, status, outcome, arrivals, child_id, entered_at, left_at, warn_at, due_at';
export const TASK_COLUMNS = 'id, instance_id, node_id, kind, assignee, delegated_from, parent_task, seq, status, decision, comment, report, urged, created_at, decided_at, decided_by';

/**
 * What people may need to hear of, told inside the transaction that did it: a task that
 * became someone's to act on (`pending`) or read (`unread`), or an event of the log.
 */
export type FlowNotice =
  | { type: 'task'; taskId: number; instanceId: number; nodeId: number; kind: TaskKind; assignee: number }
  | { type: 'event'; instanceId: number; nodeId: number | null; taskId: number | null; userId: number | null; action: string; detail: Record<string, unknown> | null };

/** Runs inside the flow's transaction: what it writes commits or rolls back with the action. */
export type FlowObserver = (tx: Executor, notice: FlowNotice) => Promise<void>;

/** SQL over instances, node visits, tasks, events and timers; every write takes the transaction it is part of. */
export class FlowRuntimeStore {
  private readonly observers: FlowObserver[] = [];

  constructor(readonly db: Executor) {}

  /** Be told of opened tasks and logged events (notifications), in their transaction. */
  observe(fn: FlowObserver): void {
    this.observers.push(fn);
  }

  private async tell(tx: Executor, notice: FlowNotice): Promise<void> {
    for (const fn of this.observers) await fn(tx, notice);
  }

  /**
   * Take the instance's row lock: the first statement of every action's transaction, so
   * actions on one instance run one after another and each reads what the last committed.
   * False when there is no such instance.
   */
  async lock(tx: Executor, instanceId: number): Promise<boolean> {
    return (await tx.run('UPDATE plinth_flow_instances SET version = version + 1 WHERE id = ?', [instanceId])).affectedRows === 1;
  }

  async instance(db: Executor, id: number): Promise<InstanceRow | null> {
    const [row] = await db.all(`SELECT ${INSTANCE_COLUMNS} FROM plinth_flow_instances WHERE id = ?`, [id]);
    return row ? decodeInstance(row) : null;
  }

  async insertInstance(tx: Executor, i: Omit<InstanceRow, 'id' | 'version' | 'startedAt' | 'endedAt' | 'status' | 'archivedAt' | 'destroyedAt'>): Promise<number> {
    const { insertId } = await tx.run(
      'INSERT INTO plinth_flow_instances (definition_code, definition_version, title, status, initiator, form, form_version, entity, record_id, data, overrides, parent_id, parent_node, version, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)',
      [i.definitionCode, i.definitionVersion, i.title.slice(0, 200), 'running', i.initiator, i.form, i.formVersion, i.entity, i.recordId, JSON.stringify(i.data), i.overrides ? JSON.stringify(i.overrides) : null, i.parentId, i.parentNode, nowDb()],
    );
    return insertId;
  }

  async setData(tx: Executor, id: number, data: Record<string, unknown>): Promise<void> {
    await tx.run('UPDATE plinth_flow_instances SET data = ? WHERE id = ?', [JSON.stringify(data), id]);
  }

  async finish(tx: Executor, id: number, status: InstanceStatus): Promise<boolean> {
    return (await tx.run("UPDATE plinth_flow_instances SET status = ?, ended_at = ? WHERE id = ? AND status = 'running'", [status, nowDb(), id])).affectedRows === 1;
  }

  async markArchived(tx: Executor, id: number): Promise<boolean> {
    return (await tx.run('UPDATE plinth_flow_instances SET archived_at = ? WHERE id = ? AND archived_at IS NULL AND destroyed_at IS NULL', [nowDb(), id])).affectedRows === 1;
  }

  /** Destroy (销毁) a finished instance's content: its data, comments, reports and attachments; who did what and when stays. */
  async destroyContent(tx: Executor, id: number): Promise<boolean> {
    if ((await tx.run("UPDATE plinth_flow_instances SET data = '{}', destroyed_at = ? WHERE id = ? AND destroyed_at IS NULL", [nowDb(), id])).affectedRows !== 1) return false;
    await tx.run('UPDATE plinth_flow_tasks SET comment = NULL, report = NULL WHERE instance_id = ?', [id]);
    for (const e of await this.events(tx, id)) {
      if (!e.detail) continue;
      const { comment, attachments, report, ...rest } = e.detail;
      if (comment === undefined && attachments === undefined && report === undefined) continue;
      await tx.run('UPDATE plinth_flow_events SET detail = ? WHERE id = ?', [JSON.stringify(rest), e.id]);
    }
    return true;
  }

  async nodes(db: Executor, instanceId: number): Promise<NodeRow[]> {
    return (await db.all(`SELECT ${NODE_COLUMNS} FROM plinth_flow_nodes WHERE instance_id = ? ORDER BY id`, [instanceId])).map(decodeNode);
  }

  async node(db: Executor, id: number): Promise<NodeRow | null> {
    const [row] = await db.all(`SELECT ${NODE_COLUMNS} FROM plinth_flow_nodes WHERE id = ?`, [id]);
    return row ? decodeNode(row) : null;
  }

  async openNodes(db: Executor, instanceId: number): Promise<NodeRow[]> {
    return (await db.all(`SELECT ${NODE_COLUMNS} FROM plinth_flow_nodes WHERE instance_id = ? AND status IN ('active', 'waiting') ORDER BY id`, [instanceId])).map(decodeNode);
  }

  async insertNode(tx: Executor, node: { instanceId: number; definitionCode: string; nodeKey: string; kind: string; name: string; status: NodeStatus; outcome?: string | null; warnAt?: Date | null; dueAt?: Date | null; arrivals?: number }): Promise<NodeRow> {
    const [{ visits }] = await tx.all<{ visits: number | string }>('SELECT COUNT(*) AS visits FROM plinth_flow_nodes WHERE instance_id = ? AND node_key = ?', [node.instanceId, node.nodeKey]);
    const now = nowDb();
    const closed = node.status !== 'active' && node.status !== 'waiting';
    const warnAt = node.warnAt ? toDbDateTime(node.warnAt.toISOString()) : null;
    const dueAt = node.dueAt ? toDbDateTime(node.dueAt.toISOString()) : null;
    const { insertId } = await tx.run(
      'INSERT INTO plinth_flow_nodes (instance_id, definition_code, node_key, kind, name, visit, status, outcome, arrivals, entered_at, left_at, warn_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [node.instanceId, node.definitionCode, node.nodeKey, node.kind, node.name.slice(0, 100), Number(visits) + 1, node.status, node.outcome ?? null, node.arrivals ?? 0, now, closed ? now : null, warnAt, dueAt],
    );
    return decodeNode({ id: insertId, instance_id: node.instanceId, node_key: node.nodeKey, kind: node.kind, name: node.name.slice(0, 100), visit: Number(visits) + 1, status: node.status, outcome: node.outcome ?? null, arrivals: node.arrivals ?? 0, child_id: null, entered_at: now, left_at: closed ? now : null, warn_at: warnAt, due_at: dueAt });
  }

  /** Close an open node visit; false when it was no longer open (someone else closed it). */
  async closeNode(tx: Executor, id: number, status: NodeStatus, outcome: string | null): Promise<boolean> {
    return (await tx.run("UPDATE plinth_flow_nodes SET status = ?, outcome = ?, left_at = ? WHERE id = ? AND status IN ('active', 'waiting')", [status, outcome, nowDb(), id])).affectedRows === 1;
  }

  async setChild(tx: Executor, nodeId: number, childId: number): Promise<void> {
    await tx.run('UPDATE plinth_flow_nodes SET child_id = ? WHERE id = ?', [childId, nodeId]);
  }

  async arrive(tx: Executor, nodeId: number): Promise<void> {
    await tx.run('UPDATE plinth_flow_nodes SET arrivals = arrivals + 1 WHERE id = ?', [nodeId]);
  }

  async task(db: Executor, id: number): Promise<TaskRow | null> {
    const [row] = await db.all(`SELECT ${TASK_COLUMNS} FROM plinth_flow_tasks WHERE id = ?`, [id]);
    return row ? decodeTask(row) : null;
  }

  async tasksOfNode(db: Executor, nodeId: number): Promise<TaskRow[]> {
    return (await db.all(`SELECT ${TASK_COLUMNS} FROM plinth_flow_tasks WHERE node_id = ? ORDER BY seq, id`, [nodeId])).map(decodeTask);
  }

  async tasksOfInstance(db: Executor, instanceId: number): Promise<TaskRow[]> {
    return (await db.all(`SELECT ${TASK_COLUMNS} FROM plinth_flow_tasks WHERE instance_id = ? ORDER BY id`, [instanceId])).map(decodeTask);
  }

  async insertTask(tx: Executor, t: { instanceId: number; nodeId: number; kind: TaskKind; assignee: number; delegatedFrom?: number | null; parentTask?: number | null; seq?: number; status: TaskStatus }): Promise<number> {
    const { insertId } = await tx.run(
      'INSERT INTO plinth_flow_tasks (instance_id, node_id, kind, assignee, delegated_from, parent_task, seq, status, urged, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)',
      [t.instanceId, t.nodeId, t.kind, t.assignee, t.delegatedFrom ?? null, t.parentTask ?? null, t.seq ?? 0, t.status, nowDb()],
    );
    if (t.status === 'pending' || t.status === 'unread') await this.tell(tx, { type: 'task', taskId: insertId, instanceId: t.instanceId, nodeId: t.nodeId, kind: t.kind, assignee: t.assignee });
    return insertId;
  }

  /**
   * Claim a task: the conditional update that makes a decision count once. False when
   * the task is no longer in `from` (already decided, cancelled) or not the actor's.
   */
  async claim(tx: Executor, id: number, assignee: number, from: TaskStatus, to: TaskStatus, decision: Decision | null, comment: string | null, report: Record<string, unknown> | null = null): Promise<boolean> {
    const { affectedRows } = await tx.run('UPDATE plinth_flow_tasks SET status = ?, decision = ?, comment = ?, report = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = ? AND assignee = ?', [
      to, decision, comment, report ? JSON.stringify(report) : null, nowDb(), assignee, id, from, assignee,
    ]);
    return affectedRows === 1;
  }

  async openQueued(tx: Executor, taskId: number): Promise<void> {
    const { affectedRows } = await tx.run("UPDATE plinth_flow_tasks SET status = 'pending', created_at = ? WHERE id = ? AND status = 'queued'", [nowDb(), taskId]);
    const task = affectedRows && this.observers.length ? await this.task(tx, taskId) : null;
    if (task) await this.tell(tx, { type: 'task', taskId, instanceId: task.instanceId, nodeId: task.nodeId, kind: task.kind, assignee: task.assignee });
  }

  /**
   * Cancel the open tasks of a node visit (approve/handle/assist/resubmit; notices stay).
   * Updated by primary key: an UPDATE by `node_id` would take next-key locks on that index
   * and, for the newest node, block every other instance inserting tasks after it.
   */
  async cancelOpenTasks(tx: Executor, nodeId: number): Promise<void> {
    const ids = (await tx.all<{ id: number | string }>("SELECT id FROM plinth_flow_tasks WHERE node_id = ? AND status IN ('pending', 'queued')", [nodeId])).map((r) => Number(r.id));
    if (ids.length) await tx.run(`UPDATE plinth_flow_tasks SET status = 'cancelled', decided_at = ? WHERE id IN (${ids.map(() => '?').join(', ')}) AND status IN ('pending', 'queued')`, [nowDb(), ...ids]);
  }

  async reassign(tx: Executor, taskId: number, from: number, to: number): Promise<boolean> {
    return (await tx.run("UPDATE plinth_flow_tasks SET assignee = ?, delegated_from = ? WHERE id = ? AND assignee = ? AND status = 'pending'", [to, from, taskId, from])).affectedRows === 1;
  }

  async markUrged(tx: Executor, taskIds: readonly number[]): Promise<void> {
    if (!taskIds.length) return;
    await tx.run(`UPDATE plinth_flow_tasks SET urged = urged + 1 WHERE id IN (${taskIds.map(() => '?').join(', ')})`, taskIds);
  }

  async markRead(tx: Executor, taskId: number, userId: number): Promise<boolean> {
    return (await tx.run("UPDATE plinth_flow_tasks SET status = 'read', decision = NULL, decided_at = ?, decided_by = ? WHERE id = ? AND assignee = ? AND status = 'unread'", [nowDb(), userId, taskId, userId])).affectedRows === 1;
  }

  async event(tx: Executor, e: { instanceId: number; nodeId?: number | null; taskId?: number | null; userId: number | null; action: string; detail?: Record<string, unknown> | null }): Promise<void> {
    await tx.run('INSERT INTO plinth_flow_events (instance_id, node_id, task_id, at, user_id, action, detail) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      e.instanceId, e.nodeId ?? null, e.taskId ?? null, nowDb(), e.userId, e.action, e.detail ? JSON.stringify(e.detail) : null,
    ]);
    await this.tell(tx, { type: 'event', instanceId: e.instanceId, nodeId: e.nodeId ?? null, taskId: e.taskId ?? null, userId: e.userId, action: e.action, detail: e.detail ?? null });
  }

  async events(db: Executor, instanceId: number): Promise<EventRow[]> {
    return (await db.all('SELECT id, instance_id, node_id, task_id, at, user_id, action, detail FROM plinth_flow_events WHERE instance_id = ? ORDER BY id', [instanceId])).map(decodeEvent);
  }

  async addTimer(tx: Executor, t: { instanceId: number; nodeId: number | null; kind: string; fireAt: Date; detail?: string | null }): Promise<number> {
    const { insertId } = await tx.run("INSERT INTO plinth_flow_timers (instance_id, node_id, kind, fire_at, status, detail) VALUES (?, ?, ?, ?, 'pending', ?)", [
      t.instanceId, t.nodeId, t.kind, toDbDateTime(t.fireAt.toISOString()), t.detail ?? null,
    ]);
    return insertId;
  }

  /** Cancel a node visit's pending timers (by primary key, as cancelOpenTasks). */
  async cancelTimers(tx: Executor, nodeId: number): Promise<void> {
    const ids = (await tx.all<{ id: number | string }>("SELECT id FROM plinth_flow_timers WHERE node_id = ? AND status = 'pending' AND kind <> 'resume'", [nodeId])).map((r) => Number(r.id));
    if (ids.length) await tx.run(`UPDATE plinth_flow_timers SET status = 'cancelled', fired_at = ? WHERE id IN (${ids.map(() => '?').join(', ')}) AND status = 'pending'`, [nowDb(), ...ids]);
  }
}
