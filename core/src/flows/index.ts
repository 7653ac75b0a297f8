/**
 * The flow engine (审批流程, 业务流程, 公文流转): definitions, instances, tasks, timers,
 * inbox, graph, statistics and templates. Reference: docs/flows.md.
 */
import { ForbiddenError, ValidationError, type Actor, type FormDefinition } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { Logger } from '../app/logger';
import type { AuditLog } from '../audit/log';
import type { AccessLoader } from '../access/loader';
import type { RecordStore } from '../services/records';
import type { FormService } from '../forms/service';
import type { FileStore } from '../files/store';
import type { SubmissionOptions } from '../forms/submission';
import { FlowDefinitions, type StoredFlow } from './definitions';
import { FlowEngine } from './engine';
import { FlowTimers } from './timers';
import { FlowInbox } from './inbox';
import { FlowDelegations } from './delegations';
import { FlowDocuments } from './documents';
import { flowSvg } from './svg';
import { flowStatistics } from './stats';
import { flowTemplate } from './templates';
import type { FlowFormCheck, FlowScriptHook } from './types';

export { flowSchemas } from './schema';
export { checkFlowDefinition } from './definition';
export { decide } from './countersign';
export { listFlowTemplates, flowTemplate } from './templates';
export { FlowDefinitions, FLOW_ADMIN_RESOURCE } from './definitions';
export { FlowEngine } from './engine';
export type * from './types';

export interface FlowsOptions {
  db: Executor;
  store: RecordStore;
  audit: AuditLog;
  access: AccessLoader;
  forms: FormService;
  files: FileStore | null;
  submission: () => SubmissionOptions;
  adminUserId: () => number | null;
  log: Logger;
  scripts?: FlowScriptHook | null;
  /** Validation scripts of workflow forms (`form:<code>`) on starts and data changes. */
  formChecks?: FlowFormCheck | null;
  /** How often each node looks for due timers (ms). */
  timerPollMs?: number;
}

/** Everything of the flow engine, wired: what the platform constructs and the API serves. */
export class Flows {
  readonly definitions: FlowDefinitions;
  readonly engine: FlowEngine;
  readonly timers: FlowTimers;
  readonly inbox: FlowInbox;
  readonly delegations: FlowDelegations;
  readonly documents: FlowDocuments;

  constructor(private readonly options: FlowsOptions) {
    const system: Actor = { userId: null, username: 'system', isAdmin: true };
    this.definitions = new FlowDefinitions({
      db: options.db, audit: options.audit, access: options.access,
      context: async () => {
        const forms = await this.formsSnapshot();
        const scripts = this.engine.scripts ? new Set(await this.engine.scripts.names()) : null;
        return { entityExists: (name) => options.store.meta.get(name) !== undefined, form: (code) => forms.get(code) ?? null, ...(scripts ? { scriptExists: (name: string) => scripts.has(name) } : {}) };
      },
    });
    this.engine = new FlowEngine({ db: options.db, store: options.store, definitions: this.definitions, forms: options.forms, submission: options.submission, files: options.files, system, adminUserId: options.adminUserId, scripts: options.scripts, formChecks: options.formChecks, log: options.log });
    this.timers = new FlowTimers(this.engine, options.db, options.log, options.timerPollMs);
    this.inbox = new FlowInbox(options.db);
    this.delegations = new FlowDelegations(options.db);
    this.documents = new FlowDocuments(this.engine, options.files, options.forms, options.audit);
  }

  /** Roles by code and name, for choosing a node's handlers (read as the system: who may start a flow may name a role). */
  async roleNames(): Promise<{ code: string; name: string }[]> {
    if (!this.options.store.meta.get('role')) return [];
    const rows = (await this.options.store.service('role', this.engine.system).list({ fields: ['code', 'name'], sort: ['name'], limit: 500 })).data;
    return rows.map((r) => ({ code: String(r.code), name: String(r.name ?? r.code) }));
  }

  get files(): FileStore | null {
    return this.options.files;
  }

  /** Let definitions be checked against the stored forms (their fields in conditions and handler fields). */
  async formsSnapshot(): Promise<Map<string, FormDefinition>> {
    const all = await this.options.forms.repo.list();
    return new Map(all.map((f) => [f.code, f.definition]));
  }

  start(): void {
    this.timers.start();
  }

  stop(): Promise<void> {
    return this.timers.stop();
  }

  /** Create a flow from a shipped template; its form is created too when missing. */
  async fromTemplate(actor: Actor, template: string, overrides: { code?: unknown; label?: unknown }): Promise<StoredFlow> {
    const tpl = flowTemplate(template);
    if (!tpl) throw new ValidationError([{ field: 'template', rule: 'enum', message: `There is no flow template "${template}"` }]);
    if (tpl.form && !(await this.options.forms.repo.get(tpl.form.code))) await this.options.forms.create(actor, tpl.form, tpl.form.code, `created for flow template ${template}`);
    const input: Record<string, unknown> = { ...tpl.definition };
    if (overrides.code !== undefined) input.code = overrides.code;
    if (overrides.label !== undefined) input.label = overrides.label;
    return this.definitions.create(actor, input, template);
  }

  /** The SVG of a definition, or of an instance's graph with its current and completed nodes marked. */
  async definitionSvg(actor: Actor, code: string, version?: number): Promise<string> {
    const flow = await this.definitions.get(actor, code);
    const def = version ? await this.definitions.repo.version(code, version) : flow.definition;
    if (!def) throw new ValidationError([{ field: 'version', rule: 'reference', message: `No version ${version}` }]);
    return flowSvg(def);
  }

  async instanceSvg(actor: Actor, id: number): Promise<string> {
    const inst = await this.engine.instance(actor, id);
    const graph = await this.engine.graphOf(inst);
    const nodes = await this.engine.store.nodes(this.options.db, id);
    const current = new Set(nodes.filter((n) => n.status === 'active' || n.status === 'waiting').map((n) => n.nodeKey));
    const completed = new Set(nodes.filter((n) => n.status === 'completed' || n.status === 'skipped').map((n) => n.nodeKey));
    return flowSvg(graph.def, { current, completed });
  }

  /** An instance's trail (its event log): who, what, when, at which node, comment, time taken. */
  async trail(actor: Actor, id: number) {
    await this.engine.instance(actor, id);
    const store = this.engine.store;
    const [events, nodes] = await Promise.all([store.events(store.db, id), store.nodes(store.db, id)]);
    const names = new Map(nodes.map((n) => [n.id, { key: n.nodeKey, name: n.name }]));
    return events.map((e) => ({ id: e.id, at: e.at, user: e.userId, action: e.action, node: e.nodeId ? (names.get(e.nodeId) ?? null) : null, task: e.taskId, comment: (e.detail?.comment as string | undefined) ?? null, took: (e.detail?.took as number | undefined) ?? null, detail: e.detail }));
  }

  async statistics(actor: Actor, code: string) {
    await this.definitions.get(actor, code);
    if (!(await this.definitions.manages(actor))) throw new ForbiddenError('Only flow administrators see statistics');
    return flowStatistics(this.options.db, code);
  }
}
