/**
 * The vocabulary of the flow engine: definitions (versioned JSON graphs an administrator
 * writes, or a template ships) and what a running instance is made of. Reference:
 * docs/flows.md.
 */

import type { Actor, FlowScriptInput } from '@plinth/sdk';
import type { Executor } from '../data/database';

export type NodeKind = 'start' | 'approval' | 'handle' | 'notify' | 'condition' | 'split' | 'join' | 'subflow' | 'script' | 'end';
export const NODE_KINDS: readonly NodeKind[] = ['start', 'approval', 'handle', 'notify', 'condition', 'split', 'join', 'subflow', 'script', 'end'];

/** Kinds whose nodes have handlers (people who act on, or are told about, the node). */
export const PEOPLE_KINDS: readonly NodeKind[] = ['approval', 'handle', 'notify'];

/** 会签 modes: any-one decides; all must agree; a share must agree; one after another. */
export type CountersignMode = 'any' | 'all' | 'ratio' | 'sequential';

export interface Countersign {
  mode: CountersignMode;
  /** `ratio`: the share (1–100 %) of handlers that must agree; reached exactly counts (半数通过: 50). */
  percent?: number;
}

/**
 * Who handles a node. Absolute: users, roles, departments, positions, groups. Relative to
 * the instance: the initiator, their superior (and the superior's superior), the head of
 * the initiator's department or of a form field's department, a user field of the form,
 * the handlers of an earlier node.
 */
export type HandlerSpec =
  | { type: 'users'; ids: number[] }
  | { type: 'roles'; codes: string[] }
  | { type: 'departments'; ids: number[] }
  | { type: 'positions'; ids: number[] }
  | { type: 'groups'; ids: number[] }
  | { type: 'initiator' }
  | { type: 'superior'; levels?: 1 | 2 }
  | { type: 'departmentHead'; field?: string }
  | { type: 'field'; field: string }
  | { type: 'nodeHandlers'; node: string };
export const HANDLER_TYPES = ['users', 'roles', 'departments', 'positions', 'groups', 'initiator', 'superior', 'departmentHead', 'field', 'nodeHandlers'] as const;

/** What happens when a node's handlers resolve to nobody. */
export type NobodyPolicy = 'skip' | 'admin' | 'error';

export type OverdueAction = 'none' | 'urge' | 'escalate' | 'approve' | 'reject' | 'jump';

/** Time limit (时限) of a node: a warning line, the overdue line, reminders, and what overdue does. */
export interface TimeLimit {
  /** Minutes from entering the node to the overdue line (fractions allowed). */
  minutes: number;
  /** Minutes to the warning line (时限预警线); below `minutes`. */
  warnMinutes?: number;
  /** Remind the pending handlers every so many minutes until the node is left. */
  remindEveryMinutes?: number;
  onOverdue?: OverdueAction;
  /** `escalate`: who gets a task added when the node is overdue. */
  escalateTo?: HandlerSpec[];
  /** `jump`: the node the instance moves to when this one is overdue. */
  jumpTo?: string;
}

export interface FlowNode {
  /** Unique within the definition: `managerApproval`. */
  key: string;
  kind: NodeKind;
  name: string;
  handlers?: HandlerSpec[];
  countersign?: Countersign;
  onNobody?: NobodyPolicy;
  /** Predefined model: the initiator may choose this node's handlers (default true for people nodes). */
  changeable?: boolean;
  timeLimit?: TimeLimit;
  /** Automatic jumps: on entering the node, the first rule whose condition holds moves the instance to `to`. */
  autoJump?: { when: string; to: string }[];
  /** Join: wait for all incoming branches, any one, or `count` of them. */
  join?: { mode: 'all' | 'any' | 'count'; count?: number };
  /** Sub-flow: the definition code of the child flow (it gets a copy of the data). */
  flow?: string;
  /** Script node: the script to run (core/src/scripts implements the hook). */
  script?: string;
  /** Handling node: handlers file a work report (completion, effort, cost) with their action. */
  report?: boolean;
  /** UI placement hint (the designer keeps it). */
  position?: { x: number; y: number };
}

export interface FlowEdge {
  from: string;
  to: string;
  /** Condition nodes: the branch is taken when this expression holds (first match in order). */
  when?: string;
  /** Condition nodes, instead of `when`: the branch is taken when this flow script returns true. */
  script?: string;
  /** Condition nodes: the branch taken when no other holds. */
  default?: boolean;
  /** Approval nodes: the outcome this edge follows (default `approved`). */
  on?: 'approved' | 'rejected';
  label?: string;
}

export type FlowModel = 'fixed' | 'predefined' | 'custom';

export interface FlowDefinition {
  /** camelCase, unique among flows. */
  code: string;
  label: { 'zh-CN': string; en: string; 'zh-TW'?: string };
  description?: { 'zh-CN': string; en: string; 'zh-TW'?: string };
  model: FlowModel;
  /** The workflow (or data) form whose submission starts an instance. */
  form?: string;
  /** Or: an entity whose records an instance is started on (a contract, a customer). */
  entity?: string;
  /** Auto-assign (WF-08): among the flows bound to the same form or entity, the first (by priority) whose condition holds on the data. */
  assign?: { when?: string; priority?: number };
  /** Custom model: the kinds of nodes an initiator may put in their route. */
  custom?: { kinds: ('approval' | 'handle' | 'notify')[] };
  /** Who may start it (default everyone signed in). */
  starters?: HandlerSpec[];
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export type InstanceStatus = 'running' | 'completed' | 'rejected' | 'cancelled';
export type NodeStatus = 'active' | 'waiting' | 'completed' | 'skipped' | 'cancelled' | 'returned' | 'jumped';
export type TaskKind = 'approve' | 'handle' | 'notify' | 'assist' | 'resubmit';
export type TaskStatus = 'queued' | 'pending' | 'done' | 'cancelled' | 'unread' | 'read';
export type Decision = 'agree' | 'reject' | 'return' | 'done' | 'resubmit' | 'reply';

/**
 * Validation scripts of a workflow form's data (`form:<code>`, `form:<code>.<field>`), when an
 * instance starts and when an action changes its data: inside the action's transaction, as
 * the actor; throws a ValidationError with the scripts' errors.
 */
export type FlowFormCheck = (call: {
  tx: Executor;
  actor: Actor;
  form: string;
  operation: 'create' | 'update';
  data: Record<string, unknown>;
  previous?: Record<string, unknown>;
  changes?: Record<string, unknown>;
}) => Promise<void>;

/** One call of a flow script: inside the action's transaction, as the actor who moved the instance. */
export interface FlowScriptCall {
  tx: Executor;
  actor: Actor;
  input: FlowScriptInput;
}

/**
 * What script nodes and script conditions call; core/src/scripts implements it over the
 * ScriptRuntime (stored scripts of kind `flow`). `run` answers the script's return value
 * as it is: the run interprets it (FlowScriptResult for nodes, a boolean for conditions).
 */
export interface FlowScriptHook {
  run(script: string, call: FlowScriptCall): Promise<unknown>;
  /** The enabled flow scripts, for checking definitions. */
  names(): Promise<readonly string[]>;
}
