import type { Logger } from '../app/logger';
import type { Executor } from '../data/database';
import { nowDb } from '../data/codec';
import type { FlowEngine } from './engine';
import type { FlowRun } from './run';

export interface TimerRow {
  id: number;
  instanceId: number;
  nodeId: number | null;
  kind: string;
  detail: string | null;
}

const BATCH = 50;

/**
 * Durable flow timers: warning and overdue lines, reminders, and the follow-ups of an
 * action (resume a parent whose sub-flow finished, cancel a child). Each is a row; every
 * node polls for due rows, and a row fires exactly once — in the transaction that claims
 * it with a conditional update (`status = 'pending'` → `fired`) under the instance's row
 * lock. A fire that fails rolls back with its claim and is tried again; a restart finds
 * the rows still pending.
 */
export class FlowTimers {
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<number> | null = null;
  private stopped = false;
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly engine: FlowEngine,
    private readonly db: Executor,
    private readonly log: Logger,
    private readonly pollMs = 1_000,
  ) {
    engine.followUp = (ids) => this.fireNow(ids);
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.polling;
    await Promise.allSettled([...this.running]);
  }

  /** Fire the due timers now (also what the poll does); returns how many this node fired. */
  poll(now: Date = new Date()): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    this.polling ??= this.due(now)
      .then(async (rows) => {
        let fired = 0;
        for (const row of rows) if (await this.fire(row)) fired++;
        return fired;
      })
      .catch((err: unknown) => {
        this.log.warn({ err: String(err) }, 'flow timer poll failed');
        return 0;
      })
      .finally(() => (this.polling = null));
    return this.polling;
  }

  private async due(now: Date): Promise<TimerRow[]> {
    const at = now.toISOString().replace('T', ' ').replace('Z', '');
    const rows = await this.db.all<Record<string, unknown>>(`SELECT id, instance_id, node_id, kind, detail FROM plinth_flow_timers WHERE status = 'pending' AND fire_at <= ? ORDER BY fire_at, id LIMIT ${BATCH}`, [at]);
    return rows.map((r) => ({ id: Number(r.id), instanceId: Number(r.instance_id), nodeId: r.node_id === null ? null : Number(r.node_id), kind: String(r.kind), detail: (r.detail as string | null) ?? null }));
  }

  /** Follow-ups of a committed action: fire them at once (the poll retries any that fail). */
  async fireNow(ids: number[]): Promise<void> {
    const [rows] = [await this.db.all<Record<string, unknown>>(`SELECT id, instance_id, node_id, kind, detail FROM plinth_flow_timers WHERE id IN (${ids.map(() => '?').join(', ')}) AND status = 'pending'`, ids)];
    for (const r of rows) {
      const p = this.fire({ id: Number(r.id), instanceId: Number(r.instance_id), nodeId: r.node_id === null ? null : Number(r.node_id), kind: String(r.kind), detail: (r.detail as string | null) ?? null });
      this.running.add(p);
      await p.finally(() => this.running.delete(p));
    }
  }

  /** Claim and run one timer; false when another node (or an earlier poll) had it. */
  async fire(row: TimerRow): Promise<boolean> {
    try {
      return await this.engine.within(row.instanceId, SYSTEM, async (run) => {
        const claimed = await run.tx.run("UPDATE plinth_flow_timers SET status = 'fired', fired_at = ? WHERE id = ? AND status = 'pending'", [nowDb(), row.id]);
        if (claimed.affectedRows !== 1) return false;
        await this.act(run, row);
        return true;
      });
    } catch (err) {
      this.log.warn({ timer: row.id, kind: row.kind, instance: row.instanceId, err: String(err) }, 'flow timer failed; it will be tried again');
      return false;
    }
  }

  private async act(run: FlowRun, row: TimerRow): Promise<void> {
    if (row.kind === 'resume') return this.engine.resumeParent(run, Number(row.detail?.replace(/^child /, '')));
    if (row.kind === 'cancel') {
      if (run.instance.status !== 'running') return;
      await run.event('instance.cancel', { reason: row.detail });
      return run.finish('cancelled');
    }
    const node = row.nodeId ? await run.store.node(run.tx, row.nodeId) : null;
    if (!node || node.status !== 'active' || run.instance.status !== 'running') return;
    const def = run.graph.node(node.nodeKey);
    const limit = def.timeLimit;
    if (row.kind === 'warn') {
      await run.event('node.warning', { node: node.nodeKey, dueAt: node.dueAt }, node.id);
      return;
    }
    if (row.kind === 'remind') {
      await this.engine.urgePending(run, 'reminded', { node: node.nodeKey, automatic: true }, node.id);
      if (limit?.remindEveryMinutes) await run.store.addTimer(run.tx, { instanceId: run.instance.id, nodeId: node.id, kind: 'remind', fireAt: new Date(Date.now() + limit.remindEveryMinutes * 60_000) });
      return;
    }
    if (row.kind !== 'overdue') return;
    const action = limit?.onOverdue ?? 'none';
    await run.event('node.overdue', { node: node.nodeKey, action }, node.id);
    switch (action) {
      case 'urge':
        await this.engine.urgePending(run, 'urged', { node: node.nodeKey, automatic: true }, node.id);
        return;
      case 'escalate': {
        const users = await run.resolve(limit!.escalateTo ?? []);
        const existing = new Set((await run.store.tasksOfNode(run.tx, node.id)).filter((t) => t.status === 'pending' || t.status === 'queued').map((t) => t.assignee));
        const kind = def.kind === 'approval' ? 'approve' : 'handle';
        for (const u of users.filter((x) => !existing.has(x))) await run.store.insertTask(run.tx, { instanceId: run.instance.id, nodeId: node.id, kind, assignee: u, seq: 1000, status: 'pending' });
        await run.event('escalated', { node: node.nodeKey, users }, node.id);
        return;
      }
      case 'approve':
      case 'reject':
        await run.complete(node, action === 'approve' ? 'approved' : 'rejected', { automatic: action });
        return;
      case 'jump':
        await run.closeAllOpen('jumped');
        await run.event('jump.auto', { from: node.nodeKey, to: limit!.jumpTo, reason: 'overdue' }, node.id);
        await run.enter(limit!.jumpTo!);
        return;
      default:
        return;
    }
  }
}

const SYSTEM = { userId: null, username: 'system', isAdmin: true };
