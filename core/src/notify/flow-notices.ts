import type { Executor } from '../data/database';
import type { FlowNotice, FlowObserver } from '../flows/runtime-store';
import type { TaskKind } from '../flows/types';
import type { Notifications } from './notifications';

const TASK_KINDS: Record<TaskKind, string> = {
  approve: 'flow.task',
  handle: 'flow.task',
  resubmit: 'flow.returned',
  assist: 'flow.assist',
  notify: 'flow.notify',
};

/** Instance ends its initiator hears of (unless they ended it themselves). */
const ENDINGS: Record<string, string> = {
  'instance.completed': 'flow.completed',
  'instance.rejected': 'flow.rejected',
  'instance.cancelled': 'flow.cancelled',
};

const ids = (v: unknown): number[] => (Array.isArray(v) ? v : [v]).filter((x): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x > 0);

/**
 * The flow engine's notifications: a new task for its handler (approval, handling,
 * assist, a return to the initiator, a read-only notice), urging and reminders, the
 * warning and overdue lines of a node (its pending handlers), a delegated task, and the
 * end of an instance for its initiator. Written in the flow action's transaction. The
 * title is the instance's title, the body the node's name; the kind says what happened
 * (the workspace shows it in the reader's language).
 */
export function flowNotices(notifications: Notifications): FlowObserver {
  // A countersign node opens several tasks in one transaction: read the instance once.
  const seen = new WeakMap<Executor, Map<number, { title: string; initiator: number | null } | null>>();
  const instance = async (tx: Executor, id: number) => {
    let cache = seen.get(tx);
    if (!cache) seen.set(tx, (cache = new Map()));
    if (cache.has(id)) return cache.get(id)!;
    const [row] = await tx.all<{ title: string; initiator: number | string | null }>('SELECT title, initiator FROM plinth_flow_instances WHERE id = ?', [id]);
    const found = row ? { title: String(row.title), initiator: row.initiator === null ? null : Number(row.initiator) } : null;
    cache.set(id, found);
    return found;
  };
  const nodeName = async (tx: Executor, id: number | null) => {
    if (!id) return null;
    const [row] = await tx.all<{ name: string }>('SELECT name FROM plinth_flow_nodes WHERE id = ?', [id]);
    return row ? String(row.name) : null;
  };
  const pendingHandlers = async (tx: Executor, nodeId: number | null) =>
    nodeId ? (await tx.all<{ assignee: number | string }>("SELECT assignee FROM plinth_flow_tasks WHERE node_id = ? AND status = 'pending'", [nodeId])).map((r) => Number(r.assignee)) : [];

  const send = async (tx: Executor, users: number[], kind: string, notice: FlowNotice, body?: string | null) => {
    if (!users.length) return;
    const inst = await instance(tx, notice.instanceId);
    if (!inst) return;
    const node = body === undefined ? await nodeName(tx, notice.nodeId) : body;
    await notifications.deliver(tx, users, { title: inst.title, body: node, link: `/flows/instances/${notice.instanceId}` }, { kind, sender: notice.type === 'event' ? notice.userId : null });
  };

  return async (tx, notice) => {
    if (notice.type === 'task') return send(tx, [notice.assignee], TASK_KINDS[notice.kind], notice);
    const detail = notice.detail ?? {};
    const comment = typeof detail.comment === 'string' && detail.comment ? detail.comment : undefined;
    switch (notice.action) {
      case 'urged':
      case 'reminded':
        return send(tx, ids(detail.users), 'flow.urge', notice, comment);
      case 'node.warning':
        return send(tx, await pendingHandlers(tx, notice.nodeId), 'flow.warning', notice);
      case 'node.overdue':
        return send(tx, await pendingHandlers(tx, notice.nodeId), 'flow.overdue', notice);
      case 'task.delegate':
        return send(tx, ids(detail.to), 'flow.task', notice, comment);
      default: {
        const kind = ENDINGS[notice.action];
        if (!kind) return;
        const inst = await instance(tx, notice.instanceId);
        if (inst?.initiator && inst.initiator !== notice.userId) await send(tx, [inst.initiator], kind, notice, null);
      }
    }
  };
}
