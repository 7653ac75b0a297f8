import { ValidationError, type Actor, type FlowScriptInput } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { evaluateCondition, ExpressionError } from '../expressions';
import { choiceSpecs } from './choice';
import { decide } from './countersign';
import { flowStuck } from './errors';
import type { FlowGraph } from './graph';
import type { HandlerResolver } from './handlers';
import type { FlowRuntimeStore, InstanceRow, NodeRow } from './runtime-store';
import { PEOPLE_KINDS, type FlowEdge, type FlowNode, type FlowScriptHook, type HandlerSpec, type InstanceStatus, type NodeStatus, type TaskKind } from './types';

/** Everything a transition needs besides the transaction: shared by all runs. */
export interface RunServices {
  store: FlowRuntimeStore;
  resolver: HandlerResolver;
  scripts(): FlowScriptHook | null;
  /** The administrator who gets nodes whose handlers resolve to nobody (policy `admin`). */
  adminUserId: () => number | null;
  /** Start a child instance of `flow` for a sub-flow node, inside this transaction; returns its id. */
  startChild(tx: Executor, parent: InstanceRow, node: NodeRow, flow: string, actor: Actor): Promise<number>;
  /** The initiator as expressions see it. */
  initiatorRecord(tx: Executor, userId: number | null): Promise<Record<string, unknown> | null>;
}

const MAX_STEPS = 1000;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const minutes = (m: number) => new Date(Date.now() + m * 60_000);

/**
 * One transaction's worth of moving an instance through its graph: entering nodes
 * (creating node visits and tasks, evaluating conditions, splitting, joining, starting
 * sub-flows, running scripts), settling a node from its task counts, leaving it along
 * the right edge, and finishing the instance. The caller holds the instance's row lock.
 */
export class FlowRun {
  private steps = 0;
  /** Timers to fire as soon as the transaction commits (a parent to resume, a child to cancel). */
  readonly followUps: number[] = [];
  private initiatorCache: Record<string, unknown> | null | undefined;

  constructor(
    readonly tx: Executor,
    readonly instance: InstanceRow,
    readonly graph: FlowGraph,
    readonly actor: Actor,
    private readonly services: RunServices,
  ) {}

  get store(): FlowRuntimeStore {
    return this.services.store;
  }

  event(action: string, detail: Record<string, unknown> | null = null, nodeId: number | null = null, taskId: number | null = null): Promise<void> {
    return this.store.event(this.tx, { instanceId: this.instance.id, nodeId, taskId, userId: this.actor.userId, action, detail });
  }

  private async scope(): Promise<Record<string, unknown>> {
    if (this.initiatorCache === undefined) this.initiatorCache = await this.services.initiatorRecord(this.tx, this.instance.initiator);
    return { ...this.instance.data, initiator: this.initiatorCache, instance: { id: this.instance.id, title: this.instance.title } };
  }

  async condition(source: string, node: FlowNode, where: string): Promise<boolean> {
    try {
      return evaluateCondition(source, await this.scope());
    } catch (err) {
      if (err instanceof ExpressionError) throw flowStuck('condition', `Node "${node.key}": ${where} ${source} failed: ${err.message}`);
      throw err;
    }
  }

  private insertNode(node: FlowNode, status: NodeStatus, extra: { outcome?: string | null; warnAt?: Date | null; dueAt?: Date | null } = {}): Promise<NodeRow> {
    return this.store.insertNode(this.tx, { instanceId: this.instance.id, definitionCode: this.instance.definitionCode, nodeKey: node.key, kind: node.kind, name: node.name, status, ...extra });
  }

  /** Enter a node (arriving along an edge, by a return, or by a jump). */
  async enter(key: string): Promise<void> {
    if (this.instance.status !== 'running') return;
    if (++this.steps > MAX_STEPS) throw flowStuck('loop', `The flow ${this.instance.definitionCode} went through ${MAX_STEPS} nodes in one step; a loop never reaches a person or an end`);
    const node = this.graph.node(key);
    for (const rule of node.autoJump ?? []) {
      if (await this.condition(rule.when, node, 'automatic jump')) {
        const row = await this.insertNode(node, 'jumped', { outcome: rule.to });
        await this.event('jump.auto', { from: key, to: rule.to, when: rule.when }, row.id);
        return this.enter(rule.to);
      }
    }
    switch (node.kind) {
      case 'start': {
        const row = await this.insertNode(node, 'active');
        if (this.instance.initiator) await this.store.insertTask(this.tx, { instanceId: this.instance.id, nodeId: row.id, kind: 'resubmit', assignee: this.instance.initiator, status: 'pending' });
        await this.event('node.entered', { node: key, handlers: this.instance.initiator ? [this.instance.initiator] : [] }, row.id);
        return;
      }
      case 'end': {
        const row = await this.insertNode(node, 'completed', { outcome: 'approved' });
        await this.event('node.completed', { node: key }, row.id);
        return this.finish('completed');
      }
      case 'approval':
      case 'handle':
      case 'notify':
        return this.people(node);
      case 'condition': {
        const edges = this.graph.outgoing(key);
        let chosen = null;
        for (const e of edges) if (!e.default && (e.when || e.script) && (await this.branchHolds(e, node))) { chosen = e; break; }
        chosen ??= edges.find((e) => e.default) ?? null;
        if (!chosen) throw flowStuck('no-branch', `Condition node "${key}": no branch holds and there is no default branch`);
        const row = await this.insertNode(node, 'completed', { outcome: chosen.to });
        await this.event('node.completed', { node: key, branch: chosen.to }, row.id);
        return this.enter(chosen.to);
      }
      case 'split': {
        const row = await this.insertNode(node, 'completed', { outcome: 'approved' });
        await this.event('node.completed', { node: key, branches: this.graph.outgoing(key).map((e) => e.to) }, row.id);
        for (const e of this.graph.outgoing(key)) await this.enter(e.to);
        return;
      }
      case 'join':
        return this.join(node);
      case 'subflow': {
        const row = await this.insertNode(node, 'active');
        const child = await this.services.startChild(this.tx, this.instance, row, node.flow!, this.actor);
        await this.store.setChild(this.tx, row.id, child);
        await this.event('subflow.started', { node: key, child }, row.id);
        return;
      }
      case 'script':
        return this.scriptNode(node);
    }
  }

  /**
   * A script node: its script may change the form data (`set`), pick the exit when the
   * node has several (`next`: the target node's key), or reject the instance.
   */
  private async scriptNode(node: FlowNode): Promise<void> {
    const value = await this.runScript(node.script!, node);
    const result = isObject(value) ? value : {};
    const set = isObject(result.set) ? result.set : null;
    const outcome = result.outcome === 'rejected' ? 'rejected' : 'approved';
    const exits = this.graph.outgoing(node.key).map((e) => e.to);
    let next: string | null = null;
    if (outcome === 'approved' && (exits.length > 1 || result.next !== undefined)) {
      if (typeof result.next !== 'string' || !exits.includes(result.next)) {
        throw flowStuck('script-next', `Script node "${node.key}" (${node.script}): the script must return next, one of ${exits.join(', ')} (got ${JSON.stringify(result.next ?? null)})`, [
          { field: `nodes.${node.key}.script`, rule: 'next', message: `next is one of ${exits.join(', ')}` },
        ]);
      }
      next = result.next;
    }
    const row = await this.insertNode(node, 'completed', { outcome: next ?? outcome });
    if (set) {
      this.instance.data = { ...this.instance.data, ...set };
      await this.store.setData(this.tx, this.instance.id, this.instance.data);
    }
    await this.event('node.completed', { node: node.key, script: node.script, outcome, ...(next ? { next } : {}), changed: Object.keys(set ?? {}) }, row.id);
    if (outcome === 'rejected') return this.finish('rejected');
    return next ? this.enter(next) : this.leave(node.key, 'approved');
  }

  /** Whether a condition node's branch holds: its expression, or its script's answer (true or false). */
  private async branchHolds(edge: FlowEdge, node: FlowNode): Promise<boolean> {
    if (!edge.script) return this.condition(edge.when!, node, 'branch');
    const value = await this.runScript(edge.script, node, edge.to);
    if (typeof value !== 'boolean') {
      throw flowStuck('condition', `Node "${node.key}": the script ${edge.script} of the branch to "${edge.to}" returned ${JSON.stringify(value)}, not true or false`);
    }
    return value;
  }

  /**
   * Run a flow script inside this transaction, as the actor. `ctx.fail` answers 400 with the
   * script's message; any other failure (an error, a limit, a missing script) 422 naming it.
   * Either way the action rolls back.
   */
  private async runScript(name: string, node: FlowNode, branch?: string): Promise<unknown> {
    const hook = this.services.scripts();
    if (!hook) throw flowStuck('no-script-runtime', `Node "${node.key}": no script runtime is configured to run ${name}`);
    const input: FlowScriptInput = {
      instance: { id: this.instance.id, flow: this.instance.definitionCode, title: this.instance.title, initiator: this.instance.initiator },
      node: { key: node.key, name: node.name, kind: node.kind },
      data: structuredClone(this.instance.data),
      ...(branch ? { branch } : {}),
    };
    try {
      return await hook.run(name, { tx: this.tx, actor: this.actor, input });
    } catch (err) {
      if (err instanceof ValidationError) throw err;
      const place = branch ? `the branch to "${branch}"` : 'the node';
      throw flowStuck('script', `Script ${name} of node "${node.key}" (${place}) failed: ${(err as Error).message}`, [{ field: `nodes.${node.key}.script`, rule: 'script', message: `${name}: ${(err as Error).message}` }]);
    }
  }

  private async join(node: FlowNode): Promise<void> {
    const open = (await this.store.openNodes(this.tx, this.instance.id)).find((n) => n.nodeKey === node.key && n.status === 'waiting');
    const row = open ?? (await this.insertNode(node, 'waiting'));
    await this.store.arrive(this.tx, row.id);
    const arrived = row.arrivals + 1;
    const incoming = this.graph.incoming(node.key).length;
    const needed = node.join?.mode === 'any' ? 1 : node.join?.mode === 'count' ? node.join.count! : incoming;
    await this.event('join.arrived', { node: node.key, arrived, needed }, row.id);
    if (arrived < needed) return;
    await this.store.closeNode(this.tx, row.id, 'completed', 'approved');
    // Branches still running when an any / n-of-m join fires are no longer needed.
    for (const other of await this.store.openNodes(this.tx, this.instance.id)) {
      if (other.id !== row.id && this.graph.leadsTo(other.nodeKey, node.key)) await this.closeOpen(other, 'cancelled');
    }
    await this.event('node.completed', { node: node.key }, row.id);
    return this.leave(node.key, 'approved');
  }

  /** Handlers of an earlier node of this instance: who decided its tasks, else who had them. */
  async handlersOf(key: string): Promise<number[]> {
    const nodes = (await this.store.nodes(this.tx, this.instance.id)).filter((n) => n.nodeKey === key);
    const last = nodes[nodes.length - 1];
    if (!last) return [];
    const tasks = (await this.store.tasksOfNode(this.tx, last.id)).filter((t) => t.kind !== 'assist');
    const decided = tasks.filter((t) => t.status === 'done').map((t) => t.decidedBy ?? t.assignee);
    return [...new Set(decided.length ? decided : tasks.map((t) => t.assignee))];
  }

  async resolve(specs: readonly HandlerSpec[]): Promise<number[]> {
    return this.services.resolver.resolve(this.tx, specs, { initiator: this.instance.initiator, data: this.instance.data, nodeHandlers: (k) => this.handlersOf(k) });
  }

  private async people(node: FlowNode): Promise<void> {
    const chosen = this.instance.overrides?.handlers?.[node.key];
    let ids = await this.resolve(chosen?.length ? choiceSpecs(chosen) : (node.handlers ?? []));
    if (!ids.length) {
      const policy = node.onNobody ?? 'admin';
      if (policy === 'skip') {
        const row = await this.insertNode(node, 'skipped', { outcome: 'skipped' });
        await this.event('node.skipped', { node: node.key, reason: 'no handler found' }, row.id);
        return this.leave(node.key, 'approved');
      }
      const admin = policy === 'admin' ? this.services.adminUserId() : null;
      if (!admin) {
        throw flowStuck('no-handler', `Node "${node.key}" (${node.name}): no handler found`, [{ field: `nodes.${node.key}.handlers`, rule: 'no-handler', message: `Nobody matches the handlers of node "${node.key}"` }]);
      }
      ids = [admin];
    }
    const limit = node.timeLimit;
    const row = await this.insertNode(node, node.kind === 'notify' ? 'completed' : 'active', { outcome: node.kind === 'notify' ? 'approved' : null, warnAt: limit?.warnMinutes ? minutes(limit.warnMinutes) : null, dueAt: limit ? minutes(limit.minutes) : null });
    const kind: TaskKind = node.kind === 'approval' ? 'approve' : node.kind === 'handle' ? 'handle' : 'notify';
    const sequential = node.countersign?.mode === 'sequential';
    const assigned: number[] = [];
    const delegates = await this.delegatesOf(ids);
    for (const [i, user] of ids.entries()) {
      const delegate = delegates.get(user) ?? null;
      assigned.push(delegate ?? user);
      await this.store.insertTask(this.tx, {
        instanceId: this.instance.id, nodeId: row.id, kind, assignee: delegate ?? user, delegatedFrom: delegate ? user : null, seq: i,
        status: kind === 'notify' ? 'unread' : sequential && i > 0 ? 'queued' : 'pending',
      });
    }
    await this.event(node.kind === 'notify' ? 'notified' : 'node.entered', { node: node.key, handlers: assigned }, row.id);
    if (node.kind === 'notify') return this.leave(node.key, 'approved');
    if (limit) {
      if (limit.warnMinutes) await this.store.addTimer(this.tx, { instanceId: this.instance.id, nodeId: row.id, kind: 'warn', fireAt: minutes(limit.warnMinutes) });
      await this.store.addTimer(this.tx, { instanceId: this.instance.id, nodeId: row.id, kind: 'overdue', fireAt: minutes(limit.minutes) });
      if (limit.remindEveryMinutes) await this.store.addTimer(this.tx, { instanceId: this.instance.id, nodeId: row.id, kind: 'remind', fireAt: minutes(limit.remindEveryMinutes) });
    }
  }

  /** Standing delegations (while on leave) in force now for this flow: user → delegate (the latest one wins). */
  async delegatesOf(users: readonly number[]): Promise<Map<number, number>> {
    const rows = await this.tx.all<{ user_id: number | string; delegate_id: number | string }>(
      `SELECT user_id, delegate_id FROM plinth_flow_delegations WHERE user_id IN (${users.map(() => '?').join(', ')}) AND starts_at <= ? AND ends_at >= ? AND (flow IS NULL OR flow = ?) ORDER BY id`,
      [...users, nowText(), nowText(), this.instance.definitionCode],
    );
    return new Map(rows.map((r) => [Number(r.user_id), Number(r.delegate_id)]));
  }

  /**
   * Decide a node visit from its task counts (countersign); opens the next handler of a
   * sequential node; completes the node and moves on when decided.
   */
  async settle(row: NodeRow): Promise<void> {
    const node = this.graph.node(row.nodeKey);
    const tasks = (await this.store.tasksOfNode(this.tx, row.id)).filter((t) => t.kind === 'approve' || t.kind === 'handle');
    const counted = tasks.filter((t) => t.status !== 'cancelled');
    const counts = {
      total: counted.length,
      agreed: counted.filter((t) => t.decision === 'agree' || t.decision === 'done').length,
      rejected: counted.filter((t) => t.decision === 'reject').length,
    };
    const mode = node.countersign?.mode ?? 'any';
    const verdict = decide(mode, counts, node.countersign?.percent ?? 100);
    if (verdict === 'pending') {
      if (mode === 'sequential' && !counted.some((t) => t.status === 'pending')) {
        const next = counted.find((t) => t.status === 'queued');
        if (next) await this.store.openQueued(this.tx, next.id);
      }
      return;
    }
    await this.complete(row, verdict, counts);
  }

  /** Close a node visit with an outcome and follow it. */
  async complete(row: NodeRow, outcome: 'approved' | 'rejected', counts: Record<string, unknown> | null = null): Promise<void> {
    if (!(await this.store.closeNode(this.tx, row.id, 'completed', outcome))) return;
    await this.store.cancelOpenTasks(this.tx, row.id);
    await this.store.cancelTimers(this.tx, row.id);
    await this.event('node.completed', { node: row.nodeKey, outcome, ...(counts ? { counts } : {}) }, row.id);
    await this.leave(row.nodeKey, outcome);
  }

  /** Follow the edges out of a node for its outcome. */
  async leave(key: string, outcome: 'approved' | 'rejected'): Promise<void> {
    const node = this.graph.node(key);
    const edges = this.graph.outgoing(key);
    if (node.kind === 'approval') {
      const edge = edges.find((e) => (e.on ?? 'approved') === outcome);
      if (!edge) return outcome === 'rejected' ? this.finish('rejected') : undefined;
      return this.enter(edge.to);
    }
    for (const e of edges) await this.enter(e.to);
  }

  /** Close an open node visit (return, jump, cancel): its open tasks and timers go, a running child is cancelled. */
  async closeOpen(row: NodeRow, status: NodeStatus): Promise<void> {
    if (!(await this.store.closeNode(this.tx, row.id, status, null))) return;
    await this.store.cancelOpenTasks(this.tx, row.id);
    await this.store.cancelTimers(this.tx, row.id);
    if (row.childId) this.followUps.push(await this.store.addTimer(this.tx, { instanceId: row.childId, nodeId: null, kind: 'cancel', fireAt: new Date(), detail: `parent ${this.instance.id}` }));
  }

  async closeAllOpen(status: NodeStatus): Promise<NodeRow[]> {
    const open = await this.store.openNodes(this.tx, this.instance.id);
    for (const row of open) await this.closeOpen(row, status);
    return open;
  }

  /** End the instance: open nodes are cancelled; a parent waiting on it is resumed after the commit. */
  async finish(status: InstanceStatus): Promise<void> {
    if (this.instance.status !== 'running') return;
    await this.closeAllOpen('cancelled');
    await this.store.finish(this.tx, this.instance.id, status);
    this.instance.status = status;
    await this.event(`instance.${status}`, null);
    if (this.instance.parentId) {
      this.followUps.push(await this.store.addTimer(this.tx, { instanceId: this.instance.parentId, nodeId: this.instance.parentNode, kind: 'resume', fireAt: new Date(), detail: `child ${this.instance.id}` }));
    }
  }

  isPeople(key: string): boolean {
    return PEOPLE_KINDS.includes(this.graph.node(key).kind);
  }
}

function nowText(): string {
  return new Date().toISOString().replace('T', ' ').replace('Z', '');
}
