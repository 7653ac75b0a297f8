import { ForbiddenError, NotFoundError, ValidationError, type Actor, type FieldError } from '@plinth/sdk';
import type { Executor } from '../data/database';
import { fromDbDateTime } from '../data/codec';
import type { Logger } from '../app/logger';
import type { RecordStore } from '../services/records';
import type { FormService } from '../forms/service';
import type { FileStore } from '../files/store';
import { processSubmission, type SubmissionOptions } from '../forms/submission';
import { evaluateCondition } from '../expressions';
import { checkFlowDefinition } from './definition';
import type { FlowDefinitions, StoredFlow } from './definitions';
import { alreadyDecided, flowStuck, isRetryable } from './errors';
import { FlowGraph } from './graph';
import { checkHandlerChoice, choiceSpecs, type ChosenHandlers } from './choice';
import { HandlerResolver } from './handlers';
import { FlowRun, type RunServices } from './run';
import { FlowRuntimeStore, type InstanceOverrides, type InstanceRow, type NodeRow, type TaskRow } from './runtime-store';
import { type Decision, type FlowDefinition, type FlowFormCheck, type FlowNode, type FlowScriptHook } from './types';

export interface FlowEngineOptions {
  db: Executor;
  store: RecordStore;
  definitions: FlowDefinitions;
  forms: FormService;
  /** Time zone and dictionaries for form submissions. */
  submission: () => SubmissionOptions;
  files: FileStore | null;
  /** The system actor (handler resolution, timers). */
  system: Actor;
  adminUserId: () => number | null;
  scripts?: FlowScriptHook | null;
  formChecks?: FlowFormCheck | null;
  log: Logger;
}

/** A node of a custom route (custom model): the initiator's own sequence of steps. */
export interface RouteStep {
  kind: 'approval' | 'handle' | 'notify';
  name: string;
  users: number[];
  countersign?: FlowNode['countersign'];
}

export interface StartInput {
  flow?: string;
  form?: string;
  entity?: string;
  recordId?: number;
  data?: Record<string, unknown>;
  title?: string;
  /** Predefined model: handlers chosen per node (user ids, or users/roles/departments entries). */
  handlers?: Record<string, ChosenHandlers>;
  saveChoice?: boolean;
  useSavedChoice?: boolean;
  /** Custom model: the route between start and end. */
  route?: RouteStep[];
}

export interface ActionInput {
  comment?: string;
  attachments?: number[];
  /** Handling nodes: the work report (completion %, effort hours, cost, attachments, note). */
  report?: Record<string, unknown>;
  /** Resubmission: the corrected form data. */
  data?: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_RETRIES = 5;
const MAX_DEPTH = 10;

/**
 * The flow engine: starts instances (from a form submission or an entity record, with a
 * snapshot of its data), and runs every action — approve, reject, return, resubmit,
 * withdraw, jump, assist, delegate, add handler, urge, comment, read, cancel — each in
 * one transaction that first takes the instance's row lock and claims its task with a
 * conditional update (a second action on a decided task gets 409).
 */
export class FlowEngine {
  readonly store: FlowRuntimeStore;
  readonly resolver: HandlerResolver;
  private readonly services: RunServices;
  scripts: FlowScriptHook | null;
  /** Called with the ids of timers to fire as soon as an action has committed (set by the timer service). */
  followUp: (timerIds: number[]) => Promise<void> = async () => undefined;

  constructor(private readonly options: FlowEngineOptions) {
    this.store = new FlowRuntimeStore(options.db);
    this.resolver = new HandlerResolver(options.store, options.system);
    this.scripts = options.scripts ?? null;
    this.services = {
      store: this.store,
      resolver: this.resolver,
      scripts: () => this.scripts,
      adminUserId: options.adminUserId,
      startChild: (tx, parent, node, flow, actor) => this.startChild(tx, parent, node, flow, actor),
      initiatorRecord: (tx, id) => this.initiatorRecord(tx, id),
    };
  }

  get system(): Actor {
    return this.options.system;
  }

  get definitions(): FlowDefinitions {
    return this.options.definitions;
  }

  // ---- reading ------------------------------------------------------------------------

  async graphOf(instance: InstanceRow, db: Executor = this.options.db): Promise<FlowGraph> {
    if (instance.overrides?.graph) return new FlowGraph(instance.overrides.graph as FlowDefinition);
    const def = await this.definitions.repo.version(instance.definitionCode, instance.definitionVersion, db);
    if (!def) throw new NotFoundError(`Version ${instance.definitionVersion} of flow "${instance.definitionCode}" is missing`);
    return new FlowGraph(def);
  }

  private async initiatorRecord(tx: Executor, id: number | null): Promise<Record<string, unknown> | null> {
    if (!id) return null;
    const user = this.options.store.meta.get('user')!;
    const fields = ['id', 'username', 'displayName', 'department', ...['position', 'superior'].filter((f) => user.fields.has(f))];
    const [u] = (await this.options.store.service('user', this.options.system, tx).list({ filter: { id }, fields, limit: 1 })).data;
    return u ?? null;
  }

  /** Whether the actor may see the instance: a participant, the initiator, or someone who manages flows. */
  async canSee(actor: Actor, instance: InstanceRow, db: Executor = this.options.db): Promise<boolean> {
    if (actor.isAdmin || instance.initiator === actor.userId) return true;
    const [row] = await db.all('SELECT id FROM plinth_flow_tasks WHERE instance_id = ? AND (assignee = ? OR delegated_from = ?) LIMIT 1', [instance.id, actor.userId, actor.userId]);
    if (row) return true;
    return this.definitions.manages(actor);
  }

  /** The operation log gets the instance-level actions (start, withdraw, cancel, jump); task decisions are in the flow's own event log. */
  private audit(tx: Executor, actor: Actor, action: string, instanceId: number, detail: string | null): Promise<void> {
    return this.options.store.audit.write(tx, actor, { action: `flow.${action}`, entity: 'flowInstance', recordId: instanceId, detail });
  }

  /**
   * Instances for monitoring (WF-10): flow administrators see all, others those they
   * started or had a task on; filtered by flow, status, or an open node past its due time.
   */
  async list(actor: Actor, filter: { flow?: string; status?: string; overdue?: boolean; entity?: string; recordId?: number }, page: { limit: number; offset: number }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (!(await this.definitions.manages(actor))) {
      where.push('(i.initiator = ? OR EXISTS (SELECT 1 FROM plinth_flow_tasks t WHERE t.instance_id = i.id AND (t.assignee = ? OR t.delegated_from = ?)))');
      params.push(actor.userId ?? -1, actor.userId ?? -1, actor.userId ?? -1);
    }
    if (filter.flow) {
      where.push('i.definition_code = ?');
      params.push(filter.flow);
    }
    if (filter.entity && filter.recordId) {
      where.push('i.entity = ? AND i.record_id = ?');
      params.push(filter.entity, filter.recordId);
    }
    if (filter.status) {
      where.push('i.status = ?');
      params.push(filter.status);
    }
    if (filter.overdue) {
      where.push("EXISTS (SELECT 1 FROM plinth_flow_nodes n WHERE n.instance_id = i.id AND n.status = 'active' AND n.due_at < ?)");
      params.push(new Date().toISOString().replace('T', ' ').replace('Z', ''));
    }
    const rows = await this.options.db.all(`SELECT i.id, i.definition_code, i.definition_version, i.title, i.status, i.initiator, i.parent_id, i.started_at, i.ended_at FROM plinth_flow_instances i${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY i.id DESC LIMIT ${page.limit} OFFSET ${page.offset}`, params);
    return rows.map((r) => ({ id: Number(r.id), flow: String(r.definition_code), flowVersion: Number(r.definition_version), title: String(r.title), status: String(r.status), initiator: r.initiator === null ? null : Number(r.initiator), parentId: r.parent_id === null ? null : Number(r.parent_id), startedAt: fromDbDateTime(r.started_at), endedAt: fromDbDateTime(r.ended_at) }));
  }

  async instance(actor: Actor, id: number): Promise<InstanceRow> {
    const inst = await this.store.instance(this.options.db, id);
    if (!inst || !(await this.canSee(actor, inst))) throw new NotFoundError(`No flow instance ${id}`);
    return inst;
  }

  async view(actor: Actor, id: number) {
    const inst = await this.instance(actor, id);
    const [nodes, tasks] = await Promise.all([this.store.nodes(this.options.db, id), this.store.tasksOfInstance(this.options.db, id)]);
    return instanceView(inst, nodes, tasks);
  }

  // ---- transactions -------------------------------------------------------------------

  /**
   * Run `fn` on an instance in one transaction that starts by taking the instance's row
   * lock (so every read after it sees what the previous action committed). Deadlocks and
   * lock timeouts are retried; follow-ups (parents to resume, children to cancel) run
   * after the commit.
   */
  async within<T>(instanceId: number, actor: Actor, fn: (run: FlowRun) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let followUps: number[] = [];
      try {
        const result = await this.options.db.transaction(async (tx) => {
          if (!(await this.store.lock(tx, instanceId))) throw new NotFoundError(`No flow instance ${instanceId}`);
          const inst = (await this.store.instance(tx, instanceId))!;
          const run = new FlowRun(tx, inst, await this.graphOf(inst, tx), actor, this.services);
          const out = await fn(run);
          followUps = run.followUps;
          return out;
        });
        if (followUps.length) await this.followUp(followUps);
        return result;
      } catch (err) {
        if (attempt < MAX_RETRIES && isRetryable(err)) {
          await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
          continue;
        }
        throw err;
      }
    }
  }

  private requireRunning(run: FlowRun): void {
    if (run.instance.status !== 'running') throw alreadyDecided(`The flow instance is ${run.instance.status}`);
  }

  // ---- start --------------------------------------------------------------------------

  /** Pick the flow: named, or the first enabled flow bound to the form/entity whose assign condition holds (by priority). */
  async choose(actor: Actor, input: StartInput): Promise<StoredFlow> {
    if (input.flow) return this.definitions.get(actor, input.flow);
    if (!input.form && !input.entity) throw new ValidationError([{ field: 'flow', rule: 'required', message: 'Name the flow, or the form or entity to choose one for' }]);
    const candidates = (await this.definitions.repo.boundTo(input.form ? { form: input.form } : { entity: input.entity })).sort(
      (a, b) => (a.definition.assign?.priority ?? 1000) - (b.definition.assign?.priority ?? 1000) || a.code.localeCompare(b.code),
    );
    // On a record, the rules look at the record (read as the initiator, through the permission layer).
    const onRecord = input.entity && candidates.length && Number.isInteger(input.recordId);
    const data = onRecord ? await this.options.store.service(input.entity!, actor).get(input.recordId!) : (input.data ?? {});
    for (const c of candidates) {
      const when = c.definition.assign?.when;
      if (!when) return c;
      try {
        if (evaluateCondition(when, data)) return c;
      } catch {
        // a condition over fields this submission lacks does not hold
      }
    }
    throw new NotFoundError(`No enabled flow is assigned to ${input.form ? `form "${input.form}"` : `entity "${input.entity}"`} for this data`);
  }

  async start(actor: Actor, input: StartInput): Promise<{ id: number }> {
    if (!actor.userId) throw new ForbiddenError('Only a user can start a flow');
    checkStartInput(input);
    const flow = await this.choose(actor, input);
    const def = flow.definition;
    if (!flow.enabled) throw new NotFoundError(`No flow "${flow.code}"`);
    const snapshot = await this.snapshot(actor, def, input);
    const overrides = await this.overridesFor(actor, flow, input);
    const title = typeof input.title === 'string' && input.title.trim() ? input.title.trim() : `${def.label['zh-CN']}`;
    for (let attempt = 1; ; attempt++) {
      let followUps: number[] = [];
      try {
        const id = await this.options.db.transaction(async (tx) => {
          if (def.starters?.length) {
            const allowed = await this.resolver.resolve(tx, def.starters, { initiator: actor.userId, data: snapshot.data, nodeHandlers: async () => [] });
            if (!allowed.includes(actor.userId!)) throw new ForbiddenError(`You may not start the flow "${flow.code}"`);
          }
          if (snapshot.form) await this.options.formChecks?.({ tx, actor, form: snapshot.form, operation: 'create', data: snapshot.data });
          const instanceId = await this.store.insertInstance(tx, {
            definitionCode: flow.code, definitionVersion: flow.version, title, initiator: actor.userId, form: snapshot.form, formVersion: snapshot.formVersion,
            entity: def.entity ?? null, recordId: snapshot.recordId, data: snapshot.data, overrides, parentId: null, parentNode: null,
          });
          const inst = (await this.store.instance(tx, instanceId))!;
          const run = new FlowRun(tx, inst, await this.graphOf(inst, tx), actor, this.services);
          await this.begin(run);
          await this.audit(tx, actor, 'start', instanceId, `${flow.code} v${flow.version}: ${title}`);
          if (input.saveChoice && overrides?.handlers) await this.saveChoice(tx, actor.userId!, flow.code, overrides.handlers);
          followUps = run.followUps;
          return instanceId;
        });
        if (followUps.length) await this.followUp(followUps);
        return { id };
      } catch (err) {
        if (attempt < MAX_RETRIES && isRetryable(err)) continue;
        throw err;
      }
    }
  }

  /** The initiator's submission: the start node's visit is complete at once, and the flow moves on. */
  private async begin(run: FlowRun): Promise<void> {
    const start = run.graph.start();
    const row = await run.store.insertNode(run.tx, { instanceId: run.instance.id, definitionCode: run.instance.definitionCode, nodeKey: start.key, kind: 'start', name: start.name, status: 'completed', outcome: 'approved' });
    await run.event('instance.started', { flow: run.instance.definitionCode, version: run.instance.definitionVersion, parent: run.instance.parentId }, row.id);
    await run.leave(start.key, 'approved');
  }

  private async snapshot(actor: Actor, def: FlowDefinition, input: StartInput): Promise<{ data: Record<string, unknown>; form: string | null; formVersion: number | null; recordId: number | null }> {
    if (def.entity) {
      if (!Number.isInteger(input.recordId)) throw new ValidationError([{ field: 'recordId', rule: 'required', message: `The flow ${def.code} starts on a ${def.entity} record: send recordId` }]);
      // Read as the initiator: the permission layer decides whether they may start a flow on it.
      const record = await this.options.store.service(def.entity, actor).get(input.recordId!);
      return { data: { ...record }, form: null, formVersion: null, recordId: input.recordId! };
    }
    if (def.form) {
      const form = await this.options.forms.active(def.form);
      const result = processSubmission(form.definition, input.data ?? {}, this.options.submission());
      if (result.errors.length) throw new ValidationError(result.errors, 'The form data is invalid');
      await this.checkFiles(form.definition.fields.filter((f) => f.type === 'file').flatMap((f) => [result.data[f.name]].flat()), 'data', actor);
      return { data: result.data, form: form.code, formVersion: form.version, recordId: null };
    }
    if (input.data !== undefined && !isObject(input.data)) throw new ValidationError([{ field: 'data', rule: 'type', message: 'data is an object' }]);
    return { data: input.data ?? {}, form: null, formVersion: null, recordId: null };
  }

  private async overridesFor(actor: Actor, flow: StoredFlow, input: StartInput): Promise<InstanceOverrides | null> {
    const def = flow.definition;
    if (def.model === 'custom' && input.route !== undefined) return { graph: this.customGraph(def, input.route) };
    if (input.route !== undefined) throw new ValidationError([{ field: 'route', rule: 'model', message: `The flow ${def.code} is ${def.model}: its route cannot be changed` }]);
    let handlers = input.handlers;
    if (!handlers && input.useSavedChoice) handlers = (await this.savedChoice(actor, flow.code)) ?? undefined;
    if (handlers === undefined) return null;
    if (def.model !== 'predefined') throw new ValidationError([{ field: 'handlers', rule: 'model', message: `The flow ${def.code} is ${def.model}: its handlers cannot be chosen` }]);
    const graph = new FlowGraph(def);
    const shape = checkHandlerChoice(graph, handlers);
    if (shape.length) throw new ValidationError(shape);
    await this.checkChosenPeople(handlers as Record<string, ChosenHandlers>);
    return { handlers: handlers as Record<string, ChosenHandlers> };
  }

  /** Chosen users must be active, and every node's choice must find someone. */
  private async checkChosenPeople(handlers: Record<string, ChosenHandlers>): Promise<void> {
    const errors: FieldError[] = [];
    const none = { initiator: null, data: {}, nodeHandlers: async () => [] };
    for (const [key, chosen] of Object.entries(handlers)) {
      const specs = choiceSpecs(chosen);
      for (const [i, spec] of specs.entries()) {
        if (spec.type !== 'users') continue;
        const active = new Set(await this.resolver.resolve(this.options.db, [spec], none));
        const missing = spec.ids.filter((id) => !active.has(id));
        if (missing.length) errors.push({ field: typeof chosen[0] === 'number' ? `handlers.${key}` : `handlers.${key}[${i}].ids`, rule: 'reference', message: `No active user ${missing.join(', ')}` });
      }
      if (specs.length && !errors.some((e) => e.field === `handlers.${key}` || e.field.startsWith(`handlers.${key}[`)) && !(await this.resolver.resolve(this.options.db, specs, none)).length) {
        errors.push({ field: `handlers.${key}`, rule: 'no-handler', message: `Nobody active matches the handlers chosen for node "${key}"` });
      }
    }
    if (errors.length) throw new ValidationError(errors);
  }

  /** Custom model: start → the initiator's steps (of allowed kinds) → end, checked like any definition. */
  private customGraph(def: FlowDefinition, route: unknown): FlowDefinition {
    if (!Array.isArray(route) || route.length === 0 || route.length > 100) throw new ValidationError([{ field: 'route', rule: 'type', message: 'route is a list of 1–100 steps' }]);
    const allowed = def.custom?.kinds ?? [];
    const errors: FieldError[] = [];
    route.forEach((s: unknown, i) => {
      if (!isObject(s)) return errors.push({ field: `route[${i}]`, rule: 'type', message: 'a step is an object' });
      if (!allowed.includes(s.kind as 'approval')) errors.push({ field: `route[${i}].kind`, rule: 'enum', message: `Step kinds allowed in ${def.code}: ${allowed.join(', ')}` });
      if (!Array.isArray(s.users) || !s.users.length || !s.users.every((u) => Number.isInteger(u) && u > 0)) errors.push({ field: `route[${i}].users`, rule: 'required', message: 'users: the user ids of the step' });
      if (typeof s.name !== 'string' || !s.name.trim()) errors.push({ field: `route[${i}].name`, rule: 'required', message: 'name is required' });
    });
    if (errors.length) throw new ValidationError(errors);
    const start = def.nodes.find((n) => n.kind === 'start')!;
    const steps = (route as RouteStep[]).map((s, i) => ({ key: `step${i + 1}`, kind: s.kind, name: s.name.slice(0, 100), handlers: [{ type: 'users' as const, ids: s.users }], ...(s.countersign ? { countersign: s.countersign } : {}), onNobody: 'error' as const }));
    const keys = [start.key, ...steps.map((s) => s.key), 'end'];
    const graph = { ...def, model: 'fixed' as const, nodes: [start, ...steps, { key: 'end', kind: 'end' as const, name: '结束' }], edges: keys.slice(1).map((k, i) => ({ from: keys[i], to: k })) };
    const { errors: invalid } = checkFlowDefinition(graph);
    if (invalid.length) throw new ValidationError(invalid.map((e) => ({ ...e, field: `route: ${e.field}` })));
    return graph;
  }

  private async startChild(tx: Executor, parent: InstanceRow, node: NodeRow, flow: string, actor: Actor): Promise<number> {
    let depth = 0;
    for (let p: InstanceRow | null = parent; p?.parentId; p = await this.store.instance(tx, p.parentId)) if (++depth >= MAX_DEPTH) throw flowStuck('depth', `Sub-flows nest at most ${MAX_DEPTH} deep`);
    const child = await this.definitions.repo.get(flow, tx);
    if (!child || child.deletedAt || !child.enabled) throw flowStuck('no-subflow', `Sub-flow node "${node.nodeKey}": the flow "${flow}" is not available`);
    const id = await this.store.insertInstance(tx, {
      definitionCode: child.code, definitionVersion: child.version, title: `${parent.title} / ${child.definition.label['zh-CN']}`, initiator: parent.initiator,
      form: parent.form, formVersion: parent.formVersion, entity: parent.entity, recordId: parent.recordId, data: parent.data, overrides: null, parentId: parent.id, parentNode: node.id,
    });
    const inst = (await this.store.instance(tx, id))!;
    const run = new FlowRun(tx, inst, await this.graphOf(inst, tx), actor, this.services);
    await this.begin(run);
    // A child that finished at once resumes its parent through a follow-up, like any other.
    return id;
  }

  // ---- saved handler choices (predefined model) ---------------------------------------

  async savedChoice(actor: Actor, flow: string): Promise<Record<string, ChosenHandlers> | null> {
    const [row] = await this.options.db.all<{ choices: string }>('SELECT choices FROM plinth_flow_choices WHERE user_id = ? AND flow = ?', [actor.userId, flow]);
    return row ? (JSON.parse(row.choices) as Record<string, ChosenHandlers>) : null;
  }

  private async saveChoice(tx: Executor, userId: number, flow: string, handlers: Record<string, ChosenHandlers>): Promise<void> {
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    const updated = await tx.run('UPDATE plinth_flow_choices SET choices = ?, saved_at = ? WHERE user_id = ? AND flow = ?', [JSON.stringify(handlers), now, userId, flow]);
    if (updated.affectedRows === 0) await tx.run('INSERT INTO plinth_flow_choices (user_id, flow, choices, saved_at) VALUES (?, ?, ?, ?)', [userId, flow, JSON.stringify(handlers), now]);
  }

  // ---- actions on tasks ---------------------------------------------------------------

  private async taskOf(actor: Actor, taskId: number): Promise<TaskRow> {
    const task = await this.store.task(this.options.db, taskId);
    if (!task) throw new NotFoundError(`No task ${taskId}`);
    if (task.assignee !== actor.userId) {
      if (task.delegatedFrom === actor.userId) throw new ForbiddenError(`Task ${taskId} was delegated to user ${task.assignee}`);
      const inst = await this.store.instance(this.options.db, task.instanceId);
      if (!inst || !(await this.canSee(actor, inst))) throw new NotFoundError(`No task ${taskId}`);
      throw new ForbiddenError(`Task ${taskId} is not yours`);
    }
    return task;
  }

  /** Files put on an instance must be the actor's own uploads (administrators: any stored file) — else anyone could reach another's file through an instance they see. */
  private async checkFiles(ids: unknown[], field: string, actor: Actor): Promise<void> {
    const wanted = ids.filter((v): v is number => typeof v === 'number');
    if (!wanted.length) return;
    const files = this.options.files;
    const found = !files ? new Set<number>() : actor.isAdmin || actor.userId === null ? await files.existing(wanted) : await files.uploadedBy(wanted, actor.userId);
    const missing = wanted.filter((id) => !found.has(id));
    if (missing.length) throw new ValidationError([{ field, rule: 'reference', message: actor.isAdmin ? `No file ${missing.join(', ')}` : `No file ${missing.join(', ')} uploaded by you` }]);
  }

  private async checkInput(actor: Actor, input: ActionInput): Promise<{ comment: string | null; attachments: number[] }> {
    const errors: FieldError[] = [];
    if (input.comment !== undefined && input.comment !== null && (typeof input.comment !== 'string' || input.comment.length > 2000)) errors.push({ field: 'comment', rule: 'maxLength', message: 'comment is text of at most 2,000 characters' });
    const attachments = input.attachments ?? [];
    if (!Array.isArray(attachments) || attachments.length > 20 || !attachments.every((a) => Number.isInteger(a) && a > 0)) errors.push({ field: 'attachments', rule: 'type', message: 'attachments: up to 20 file ids' });
    if (errors.length) throw new ValidationError(errors);
    await this.checkFiles(attachments, 'attachments', actor);
    return { comment: (input.comment as string | undefined)?.trim() || null, attachments };
  }

  private checkReport(report: unknown): Record<string, unknown> | null {
    if (report === undefined || report === null) return null;
    if (!isObject(report)) throw new ValidationError([{ field: 'report', rule: 'type', message: 'report is an object' }]);
    const errors: FieldError[] = [];
    const { completion, effortHours, cost, note, attachments } = report;
    if (completion !== undefined && !(typeof completion === 'number' && completion >= 0 && completion <= 100)) errors.push({ field: 'report.completion', rule: 'range', message: 'completion is a percentage 0–100' });
    if (effortHours !== undefined && !(typeof effortHours === 'number' && effortHours >= 0 && effortHours <= 10_000)) errors.push({ field: 'report.effortHours', rule: 'range', message: 'effortHours is 0–10,000' });
    if (cost !== undefined && !(typeof cost === 'number' && cost >= 0)) errors.push({ field: 'report.cost', rule: 'range', message: 'cost is a non-negative amount' });
    if (note !== undefined && !(typeof note === 'string' && note.length <= 4000)) errors.push({ field: 'report.note', rule: 'maxLength', message: 'note is text of at most 4,000 characters' });
    if (attachments !== undefined && !(Array.isArray(attachments) && attachments.every((a) => Number.isInteger(a)))) errors.push({ field: 'report.attachments', rule: 'type', message: 'attachments: file ids' });
    const unknown = Object.keys(report).filter((k) => !['completion', 'effortHours', 'cost', 'note', 'attachments'].includes(k));
    for (const k of unknown) errors.push({ field: `report.${k}`, rule: 'unknown', message: `A work report has completion, effortHours, cost, note, attachments; not ${k}` });
    if (errors.length) throw new ValidationError(errors);
    return report;
  }

  /** Approve (agree), reject, or complete (done) a task; the node is then settled from its task counts. */
  async decide(actor: Actor, taskId: number, decision: 'agree' | 'reject' | 'done', input: ActionInput = {}): Promise<TaskRow> {
    const task = await this.taskOf(actor, taskId);
    const want = decision === 'done' ? 'handle' : 'approve';
    if (task.kind !== want) throw new ValidationError([{ field: 'action', rule: 'kind', message: decision === 'done' ? 'Only handling tasks are done; approve or reject an approval' : `A ${task.kind} task cannot be ${decision === 'agree' ? 'approved' : 'rejected'}` }]);
    const { comment, attachments } = await this.checkInput(actor, input);
    const report = this.checkReport(input.report);
    if (report?.attachments) await this.checkFiles(report.attachments as number[], 'report.attachments', actor);
    const data = decision === 'reject' ? null : await this.changedData(task.instanceId, input.data);
    return this.within(task.instanceId, actor, async (run) => {
      this.requireRunning(run);
      if (!(await run.store.claim(run.tx, taskId, actor.userId!, 'pending', 'done', decision, comment, report))) throw alreadyDecided();
      if (data) {
        await this.checkFormData(run, data, input.data as Record<string, unknown>);
        run.instance.data = data;
        await run.store.setData(run.tx, run.instance.id, data);
      }
      const node = (await run.store.node(run.tx, task.nodeId))!;
      await run.event(`task.${decision}`, { node: node.nodeKey, comment, attachments, took: Date.now() - Date.parse(task.createdAt), ...(report ? { report } : {}) }, node.id, taskId);
      await run.settle(node);
      return (await run.store.task(run.tx, taskId))!;
    });
  }

  /**
   * Return (退签) to an earlier node — one with handlers that was completed in this
   * instance and leads to the returner's node — or to the initiator (`to` omitted or
   * "initiator"). The returner's node and the open nodes after the target are closed
   * (`returned`); parallel branches the target is not part of keep going, and a join
   * keeps the arrivals of branches that are not redone.
   */
  async returnTo(actor: Actor, taskId: number, to: string | undefined, input: ActionInput = {}): Promise<TaskRow> {
    const task = await this.taskOf(actor, taskId);
    if (task.kind !== 'approve' && task.kind !== 'handle') throw new ValidationError([{ field: 'action', rule: 'kind', message: `A ${task.kind} task cannot be returned` }]);
    const { comment, attachments } = await this.checkInput(actor, input);
    return this.within(task.instanceId, actor, async (run) => {
      this.requireRunning(run);
      const graph = run.graph;
      const start = graph.start().key;
      const node = (await run.store.node(run.tx, task.nodeId))!;
      const target = !to || to === 'initiator' ? start : to;
      if (target !== start) {
        const visited = (await run.store.nodes(run.tx, run.instance.id)).some((n) => n.nodeKey === target && n.status === 'completed');
        const earlier = graph.nodes.has(target) && run.isPeople(target) && graph.node(target).kind !== 'notify' && visited && target !== node.nodeKey && graph.leadsTo(target, node.nodeKey);
        if (!earlier) throw new ValidationError([{ field: 'to', rule: 'earlier-node', message: `"${to}" is not an earlier node of this instance with handlers (or "initiator")` }]);
      }
      if (!(await run.store.claim(run.tx, taskId, actor.userId!, 'pending', 'done', 'return', comment))) throw alreadyDecided();
      await run.event('task.return', { node: node.nodeKey, to: target, comment, attachments, took: Date.now() - Date.parse(task.createdAt) }, node.id, taskId);
      const splits = [...graph.nodes.values()].filter((n) => n.kind === 'split').map((n) => n.key);
      for (const open of await run.store.openNodes(run.tx, run.instance.id)) {
        const after = open.id === node.id || target === start || graph.leadsTo(target, open.nodeKey);
        // a waiting join is redone only when the whole parallel section is (its split comes after the target)
        const redone = open.kind !== 'join' || target === start || splits.some((s) => graph.leadsTo(target, s) && graph.leadsTo(s, open.nodeKey));
        if (after && redone) await run.closeOpen(open, 'returned');
      }
      await run.enter(target);
      return (await run.store.task(run.tx, taskId))!;
    });
  }

  /** The initiator resubmits after a return or withdrawal, with corrected data if the flow has a form. */
  async resubmit(actor: Actor, taskId: number, input: ActionInput = {}): Promise<TaskRow> {
    const task = await this.taskOf(actor, taskId);
    if (task.kind !== 'resubmit') throw new ValidationError([{ field: 'action', rule: 'kind', message: 'Only a returned request is resubmitted' }]);
    const { comment, attachments } = await this.checkInput(actor, input);
    const data = await this.changedData(task.instanceId, input.data);
    return this.within(task.instanceId, actor, async (run) => {
      this.requireRunning(run);
      if (!(await run.store.claim(run.tx, taskId, actor.userId!, 'pending', 'done', 'resubmit', comment))) throw alreadyDecided();
      if (data) {
        await this.checkFormData(run, data, input.data as Record<string, unknown>);
        run.instance.data = data;
        await run.store.setData(run.tx, run.instance.id, data);
      }
      const node = (await run.store.node(run.tx, task.nodeId))!;
      await run.store.closeNode(run.tx, node.id, 'completed', 'approved');
      await run.event('instance.resubmitted', { comment, attachments, changed: data ? Object.keys(input.data ?? {}) : [] }, node.id, taskId);
      await run.leave(node.nodeKey, 'approved');
      return (await run.store.task(run.tx, taskId))!;
    });
  }

  /** Validation scripts of the instance's form over data an action changes, in the action's transaction. */
  private async checkFormData(run: FlowRun, data: Record<string, unknown>, changes: Record<string, unknown>): Promise<void> {
    if (!run.instance.form || !this.options.formChecks) return;
    await this.options.formChecks({ tx: run.tx, actor: run.actor, form: run.instance.form, operation: 'update', data, previous: run.instance.data, changes });
  }

  /**
   * Data changed by an action (a resubmission, a handler filling in the document number):
   * merged into the snapshot and checked against the instance's form version.
   */
  private async changedData(instanceId: number, patch: unknown): Promise<Record<string, unknown> | null> {
    if (patch === undefined || patch === null) return null;
    if (!isObject(patch)) throw new ValidationError([{ field: 'data', rule: 'type', message: 'data is an object' }]);
    const inst = await this.store.instance(this.options.db, instanceId);
    if (!inst) throw new NotFoundError(`No flow instance ${instanceId}`);
    if (!inst.form) return { ...inst.data, ...patch };
    const form = await this.options.forms.definition(inst.form, inst.formVersion ?? undefined);
    const result = processSubmission(form, { ...inst.data, ...patch }, { ...this.options.submission(), defaults: false });
    if (result.errors.length) throw new ValidationError(result.errors, 'The form data is invalid');
    return result.data;
  }

  /** Mark a notice (read-only task) read. */
  async read(actor: Actor, taskId: number): Promise<TaskRow> {
    const task = await this.taskOf(actor, taskId);
    if (task.kind !== 'notify') throw new ValidationError([{ field: 'action', rule: 'kind', message: 'Only notices are marked read' }]);
    return this.within(task.instanceId, actor, async (run) => {
      if (await run.store.markRead(run.tx, taskId, actor.userId!)) await run.event('task.read', null, task.nodeId, taskId);
      return (await run.store.task(run.tx, taskId))!;
    });
  }

  /** Assist (协办): ask others for their opinion; the task stays with its holder. */
  async assist(actor: Actor, taskId: number, users: unknown, input: ActionInput = {}): Promise<number[]> {
    const task = await this.taskOf(actor, taskId);
    const ids = this.userIds(users, 'users');
    const { comment } = await this.checkInput(actor, input);
    return this.within(task.instanceId, actor, async (run) => {
      this.requireRunning(run);
      const current = await run.store.task(run.tx, taskId);
      if (current?.status !== 'pending' || (current.kind !== 'approve' && current.kind !== 'handle')) throw alreadyDecided();
      await this.requireActive(run.tx, ids);
      const created = [];
      for (const u of ids) created.push(await run.store.insertTask(run.tx, { instanceId: run.instance.id, nodeId: task.nodeId, kind: 'assist', assignee: u, parentTask: taskId, status: 'pending' }));
      await run.event('task.assist', { users: ids, comment }, task.nodeId, taskId);
      return created;
    });
  }

  /** Reply to an assist request with an opinion. */
  async reply(actor: Actor, taskId: number, input: ActionInput = {}): Promise<TaskRow> {
    const task = await this.taskOf(actor, taskId);
    if (task.kind !== 'assist') throw new ValidationError([{ field: 'action', rule: 'kind', message: 'Only assist requests are replied to' }]);
    const { comment, attachments } = await this.checkInput(actor, input);
    return this.within(task.instanceId, actor, async (run) => {
      if (!(await run.store.claim(run.tx, taskId, actor.userId!, 'pending', 'done', 'reply', comment))) throw alreadyDecided();
      await run.event('task.reply', { comment, attachments, to: task.parentTask }, task.nodeId, taskId);
      return (await run.store.task(run.tx, taskId))!;
    });
  }

  /** Delegate (委办): hand the task to someone else. */
  async delegate(actor: Actor, taskId: number, to: unknown, input: ActionInput = {}): Promise<TaskRow> {
    const task = await this.taskOf(actor, taskId);
    const [target] = this.userIds([to], 'to');
    if (target === actor.userId) throw new ValidationError([{ field: 'to', rule: 'self', message: 'The task is already yours' }]);
    const { comment } = await this.checkInput(actor, input);
    return this.within(task.instanceId, actor, async (run) => {
      this.requireRunning(run);
      await this.requireActive(run.tx, [target], 'to');
      if (!(await run.store.reassign(run.tx, taskId, actor.userId!, target))) throw alreadyDecided();
      await run.event('task.delegate', { from: actor.userId, to: target, comment }, task.nodeId, taskId);
      return (await run.store.task(run.tx, taskId))!;
    });
  }

  /** Add handlers (加签) to the node of a pending task; a sequential node gets them at the end of its order. */
  async addHandlers(actor: Actor, taskId: number, users: unknown, input: ActionInput = {}): Promise<number[]> {
    const task = await this.taskOf(actor, taskId);
    if (task.kind !== 'approve' && task.kind !== 'handle') throw new ValidationError([{ field: 'action', rule: 'kind', message: `Handlers are added to approval and handling nodes` }]);
    const ids = this.userIds(users, 'users');
    const { comment } = await this.checkInput(actor, input);
    return this.within(task.instanceId, actor, async (run) => {
      this.requireRunning(run);
      const node = (await run.store.node(run.tx, task.nodeId))!;
      if (node.status !== 'active') throw alreadyDecided('The node has been decided');
      await this.requireActive(run.tx, ids);
      const existing = (await run.store.tasksOfNode(run.tx, node.id)).filter((t) => t.kind === task.kind && t.status !== 'cancelled');
      const taken = new Set(existing.filter((t) => t.status === 'pending' || t.status === 'queued').map((t) => t.assignee));
      const sequential = run.graph.node(node.nodeKey).countersign?.mode === 'sequential';
      let seq = Math.max(0, ...existing.map((t) => t.seq));
      const created = [];
      for (const u of ids.filter((u) => !taken.has(u))) created.push(await run.store.insertTask(run.tx, { instanceId: run.instance.id, nodeId: node.id, kind: task.kind, assignee: u, seq: ++seq, status: sequential ? 'queued' : 'pending' }));
      await run.event('task.addHandlers', { users: ids, comment }, node.id, taskId);
      return created;
    });
  }

  private userIds(raw: unknown, field: string): number[] {
    if (!Array.isArray(raw) || !raw.length || raw.length > 50 || !raw.every((v) => Number.isInteger(v) && v > 0)) throw new ValidationError([{ field, rule: 'type', message: `${field}: 1–50 user ids` }]);
    return [...new Set(raw as number[])];
  }

  private async requireActive(tx: Executor, ids: number[], field = 'users'): Promise<void> {
    const active = new Set(await this.resolver.resolve(tx, [{ type: 'users', ids }], { initiator: null, data: {}, nodeHandlers: async () => [] }));
    const missing = ids.filter((id) => !active.has(id));
    if (missing.length) throw new ValidationError([{ field, rule: 'reference', message: `No active user ${missing.join(', ')}` }]);
  }

  // ---- actions on instances -----------------------------------------------------------

  /** Withdraw (撤回): the initiator takes the request back before anyone has acted on it since it was (re)submitted. */
  async withdraw(actor: Actor, instanceId: number, input: ActionInput = {}): Promise<void> {
    const inst = await this.instance(actor, instanceId);
    if (inst.initiator !== actor.userId) throw new ForbiddenError('Only the initiator withdraws a request');
    const { comment } = await this.checkInput(actor, input);
    await this.within(instanceId, actor, async (run) => {
      this.requireRunning(run);
      const events = await run.store.events(run.tx, instanceId);
      const since = events.map((e) => e.action).lastIndexOf(events.map((e) => e.action).reverse().find((a) => a === 'instance.started' || a === 'instance.resubmitted') ?? 'instance.started');
      const acted = events.slice(since + 1).some((e) => ['task.agree', 'task.reject', 'task.done', 'task.return'].includes(e.action));
      if (acted) throw alreadyDecided('Someone has already acted on the request; it can no longer be withdrawn');
      const open = await run.store.openNodes(run.tx, instanceId);
      if (open.some((n) => n.kind === 'start')) throw alreadyDecided('The request is already back with you');
      await run.closeAllOpen('cancelled');
      await run.event('instance.withdrawn', { comment });
      await this.audit(run.tx, actor, 'withdraw', instanceId, comment);
      await run.enter(run.graph.start().key);
    });
  }

  /** Cancel the instance (the initiator, or someone who manages flows). */
  async cancel(actor: Actor, instanceId: number, input: ActionInput = {}): Promise<void> {
    const inst = await this.instance(actor, instanceId);
    if (inst.initiator !== actor.userId && !(await this.definitions.manages(actor))) throw new ForbiddenError('Only the initiator or a flow administrator cancels an instance');
    const { comment } = await this.checkInput(actor, input);
    await this.within(instanceId, actor, async (run) => {
      this.requireRunning(run);
      await run.event('instance.cancel', { comment });
      await this.audit(run.tx, actor, 'cancel', instanceId, comment);
      await run.finish('cancelled');
    });
  }

  /** Jump (manual, by a flow administrator): leave the open nodes and enter `to`. */
  async jump(actor: Actor, instanceId: number, to: unknown, input: ActionInput = {}): Promise<void> {
    if (!(await this.definitions.manages(actor))) throw new ForbiddenError('Only a flow administrator jumps an instance');
    await this.instance(actor, instanceId);
    const { comment } = await this.checkInput(actor, input);
    await this.within(instanceId, actor, async (run) => {
      this.requireRunning(run);
      if (typeof to !== 'string' || !run.graph.nodes.has(to)) throw new ValidationError([{ field: 'to', rule: 'reference', message: `"${String(to)}" is not a node of this flow` }]);
      const closed = await run.closeAllOpen('jumped');
      await run.event('jump.manual', { from: closed.map((n) => n.nodeKey), to, comment });
      await this.audit(run.tx, actor, 'jump', instanceId, `${closed.map((n) => n.nodeKey).join(', ')} → ${to}${comment ? `: ${comment}` : ''}`);
      await run.enter(to);
    });
  }

  /** Urge (催办) the pending handlers: the initiator or a flow administrator. */
  async urge(actor: Actor, instanceId: number, input: ActionInput = {}): Promise<number[]> {
    const inst = await this.instance(actor, instanceId);
    if (inst.initiator !== actor.userId && !(await this.definitions.manages(actor))) throw new ForbiddenError('Only the initiator or a flow administrator urges');
    const { comment } = await this.checkInput(actor, input);
    return this.within(instanceId, actor, async (run) => {
      this.requireRunning(run);
      return this.urgePending(run, 'urged', { comment });
    });
  }

  async urgePending(run: FlowRun, action: string, detail: Record<string, unknown>, nodeId?: number): Promise<number[]> {
    const pending = (await run.store.tasksOfInstance(run.tx, run.instance.id)).filter((t) => t.status === 'pending' && t.kind !== 'notify' && (nodeId === undefined || t.nodeId === nodeId));
    await run.store.markUrged(run.tx, pending.map((t) => t.id));
    const users = [...new Set(pending.map((t) => t.assignee))];
    await run.event(action, { ...detail, users }, nodeId ?? null);
    return users;
  }

  /** A comment on the instance, with attachments, by anyone who may see it. */
  async comment(actor: Actor, instanceId: number, input: ActionInput): Promise<void> {
    await this.instance(actor, instanceId);
    const { comment, attachments } = await this.checkInput(actor, input);
    if (!comment && !attachments.length) throw new ValidationError([{ field: 'comment', rule: 'required', message: 'A comment or an attachment is required' }]);
    await this.within(instanceId, actor, async (run) => {
      if (run.instance.destroyedAt) throw alreadyDecided('The instance has been destroyed');
      await run.event('comment', { comment, attachments });
    });
  }

  /** Resume a parent whose sub-flow finished (a follow-up timer). */
  async resumeParent(run: FlowRun, childId: number): Promise<void> {
    if (run.instance.status !== 'running') return;
    const child = await run.store.instance(run.tx, childId);
    const node = (await run.store.openNodes(run.tx, run.instance.id)).find((n) => n.childId === childId);
    if (!child || !node || child.status === 'running') return;
    await run.event('subflow.finished', { node: node.nodeKey, child: childId, status: child.status }, node.id);
    if (child.status === 'completed') await run.complete(node, 'approved');
    else {
      await run.store.closeNode(run.tx, node.id, 'completed', 'rejected');
      await run.finish('rejected');
    }
  }
}

const START_KEYS = ['flow', 'form', 'entity', 'recordId', 'data', 'title', 'handlers', 'saveChoice', 'useSavedChoice', 'route'];

/** The shape of a start request (the deeper checks — data, handlers, route — come with the flow). */
function checkStartInput(input: unknown): asserts input is StartInput {
  if (!isObject(input)) throw new ValidationError([{ field: '(body)', rule: 'type', message: 'The body must be a JSON object' }]);
  const errors: FieldError[] = Object.keys(input).filter((k) => !START_KEYS.includes(k)).map((k) => ({ field: k, rule: 'unknown', message: `A start request has ${START_KEYS.join(', ')}; not ${k}` }));
  for (const [key, max] of [['flow', 32], ['form', 32], ['entity', 64], ['title', 200]] as const) {
    const v = input[key];
    if (v !== undefined && (typeof v !== 'string' || v.length === 0 || v.length > max)) errors.push({ field: key, rule: 'type', message: `${key} is text of 1–${max} characters` });
  }
  if (input.recordId !== undefined && !(Number.isInteger(input.recordId) && (input.recordId as number) > 0)) errors.push({ field: 'recordId', rule: 'type', message: 'recordId is a record id' });
  if (input.data !== undefined && !isObject(input.data)) errors.push({ field: 'data', rule: 'type', message: 'data is an object' });
  for (const key of ['saveChoice', 'useSavedChoice'] as const) if (input[key] !== undefined && typeof input[key] !== 'boolean') errors.push({ field: key, rule: 'type', message: `${key} is true or false` });
  if (errors.length) throw new ValidationError(errors);
}

const DECISIONS: readonly Decision[] = ['agree', 'reject', 'return', 'done', 'resubmit', 'reply'];
export const isDecision = (v: unknown): v is Decision => DECISIONS.includes(v as Decision);

export function instanceView(inst: InstanceRow, nodes: NodeRow[], tasks: TaskRow[]) {
  return {
    id: inst.id,
    flow: inst.definitionCode,
    flowVersion: inst.definitionVersion,
    title: inst.title,
    status: inst.status,
    initiator: inst.initiator,
    form: inst.form,
    formVersion: inst.formVersion,
    entity: inst.entity,
    recordId: inst.recordId,
    data: inst.data,
    custom: inst.overrides?.graph ? true : undefined,
    handlers: inst.overrides?.handlers,
    parentId: inst.parentId,
    version: inst.version,
    startedAt: inst.startedAt,
    endedAt: inst.endedAt,
    archivedAt: inst.archivedAt,
    destroyedAt: inst.destroyedAt,
    nodes: nodes.map((n) => ({ ...n, instanceId: undefined, tasks: tasks.filter((t) => t.nodeId === n.id).map(taskView) })),
  };
}

export const taskView = (t: TaskRow) => ({
  id: t.id,
  kind: t.kind,
  assignee: t.assignee,
  delegatedFrom: t.delegatedFrom,
  parentTask: t.parentTask,
  seq: t.seq,
  status: t.status,
  decision: t.decision,
  comment: t.comment,
  report: t.report,
  urged: t.urged,
  createdAt: t.createdAt,
  decidedAt: t.decidedAt,
  decidedBy: t.decidedBy,
});
