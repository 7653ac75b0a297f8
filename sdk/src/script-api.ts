/**
 * The API a sandboxed script sees. Scripts (TypeScript or JavaScript, stored in the
 * database) run in an isolated V8 heap: no `process`, `require`, file system, network
 * or timers. Everything they can do goes through `ctx`, and each capability a script
 * uses must be declared with it (`records:read`, `records:write`, `notify`, `log`,
 * `params:read` for parameters and dictionaries, `scripts:call`); an undeclared one fails
 * with code `capability`.
 *
 * A script is a module whose default export is the function to run:
 *
 * ```ts
 * import type { HookInput, ScriptContext } from '@plinth/sdk';
 *
 * export default async function (input: HookInput, ctx: ScriptContext) {
 *   if (!input.record.email) ctx.fail('An email is required', [{ field: 'email', rule: 'required', message: 'required' }]);
 *   const n = await ctx.records('contact').count({ filter: { customer: input.record.id } });
 *   return { set: { contactCount: n } };
 * }
 * ```
 *
 * The same names are available as globals in the script editor, so the import is optional.
 * Imports of anything but types are refused: a script has no modules.
 */
import type { FieldError } from './errors';
import type { I18nText } from './fields';
import type { Filter, ListQuery, ListResult } from './query';
import type { NotificationMessage } from './notifications';

/** Where a script attaches. */
export type ScriptKind = 'hook' | 'validation' | 'computed' | 'flow' | 'job' | 'endpoint' | 'subscriber';

/** What a script may use; each must be declared with the script. */
export type ScriptCapability = 'records:read' | 'records:write' | 'notify' | 'log' | 'params:read' | 'scripts:call';

/** Resource limits of one run; unset ones take the defaults of the script's kind. */
export interface ScriptLimitsDef {
  /** Heap of the isolate, MB (default 32). */
  memoryMb?: number;
  /** CPU time, ms (default 100 for hooks and validations, longer for jobs). */
  cpuMs?: number;
  /** Wall-clock deadline of the whole run, host calls included, ms. */
  wallMs?: number;
}

/** A record as scripts see it: a plain copy. */
export type ScriptRecord = { id: number; version: number } & Record<string, unknown>;

/** Records of one entity, through the same service layer (validation, permissions) as REST. */
export interface ScriptRecords<T extends ScriptRecord = ScriptRecord> {
  list(query?: ListQuery): Promise<ListResult<T>>;
  get(id: number, query?: Pick<ListQuery, 'fields' | 'expand'>): Promise<T>;
  count(query?: { filter?: Filter }): Promise<number>;
  create(data: Record<string, unknown>): Promise<T>;
  update(id: number, patch: Record<string, unknown>, options: { version: number }): Promise<T>;
  delete(id: number): Promise<void>;
}

/**
 * A notification a script sends (`ctx.notify`): to user ids, or to `{ users, roles,
 * departments }` (active users only); a plain-text body; a relative link into the
 * application such as `/app/customers/12`.
 */
export type ScriptNotification = NotificationMessage;

/** An enabled item of a dictionary, in the dictionary's order. */
export interface ScriptDictionaryItem {
  /** What records store. */
  code: string;
  label: I18nText;
  /** The parent item's code, in hierarchical dictionaries. */
  parent: string | null;
  color: string | null;
}

export interface ScriptLog {
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

/** `console.*` writes to the run's log too (needs `log`). */
export interface ScriptConsole extends ScriptLog {
  log(...args: unknown[]): void;
}

/**
 * An error from a host call, as the script receives it: a message and a code
 * (`not-found`, `validation`, `forbidden`, `capability`, `limit`…), never a host stack trace.
 */
export interface HostCallError extends Error {
  code: string;
  /** Field errors of a validation failure. */
  errors?: FieldError[];
}

export interface ScriptContext {
  /** Who the script acts as: the calling user, or the service role granted to the script. */
  readonly actor: { readonly userId: number | null; readonly username: string; readonly isAdmin: boolean };
  readonly script: { readonly name: string; readonly version: number; readonly kind: ScriptKind };
  /** Records (`records:read`, and `records:write` for create/update/delete). Writes join the caller's transaction. */
  records<T extends ScriptRecord = ScriptRecord>(entity: string): ScriptRecords<T>;
  /** Send a notification (`notify`). */
  notify(message: ScriptNotification): Promise<void>;
  /**
   * System parameters (`params:read`): a parameter's typed value, or null when it is not
   * set. An unknown code, or a secret parameter the script's actor may not read, fails with `not-found`.
   */
  readonly params: {
    get<T = unknown>(code: string): Promise<T | null>;
  };
  /** Dictionaries (`params:read`): the enabled items of a dictionary, in order; `not-found` for an unknown code. */
  readonly dictionaries: {
    items(code: string): Promise<ScriptDictionaryItem[]>;
  };
  /** Run another script and get its result (`scripts:call`). */
  readonly scripts: {
    call<R = unknown>(name: string, input?: unknown): Promise<R>;
  };
  /** Lines kept with this run, viewable by admins (`log`). */
  readonly log: ScriptLog;
  /** Stop with a message shown to the user (a before-hook's rejection; nothing is written). */
  fail(message: string, errors?: readonly FieldError[]): never;
}

/** Input of an entity hook. */
export interface HookInput {
  event: 'beforeCreate' | 'afterCreate' | 'beforeUpdate' | 'afterUpdate' | 'beforeDelete' | 'afterDelete';
  entity: string;
  /** The record as it will be (before-hooks) or was (after-hooks) written. */
  record: Record<string, unknown>;
  /** Updates and deletes: the stored record before the change. */
  previous?: ScriptRecord;
  /** Updates: the fields the caller changes. */
  changes?: Record<string, unknown>;
}

/** A before-hook may change fields of the record being written; anything else is ignored. */
export type HookResult = void | undefined | { set?: Record<string, unknown> };

/**
 * Input of a validation script (kind `validation`). Target `<entity>` runs on every create
 * and update of the entity, before the write, inside its transaction, as the user;
 * `<entity>.<field>` runs when the field is written (creates: always; updates: when the
 * change sets it) and gets the field's `value`.
 */
export interface ValidationInput {
  /** The entity (`customer`). */
  entity: string;
  operation: 'create' | 'update';
  /** The record as it will be written (updates: the stored record with the changes applied; computed fields computed). */
  record: Record<string, unknown>;
  /** Updates: the stored record before the change. */
  previous?: ScriptRecord;
  /** Updates: the fields being written. */
  changes?: Record<string, unknown>;
  /** Field-targeted validations: the field… */
  field?: string;
  /** …and its new value. */
  value?: unknown;
}

/**
 * One problem a validation found. `field` defaults to the validated field (or `(record)`);
 * the error's rule is `script:<name>`, or `script:<name>:<rule>` when `rule` is given.
 */
export interface ValidationIssue {
  field?: string;
  rule?: string;
  message: string;
}

/**
 * What a validation returns: nothing (or no errors) when the record is valid, else its
 * errors. The write answers 400 with each error's field and the rule `script:<name>`;
 * nothing is written. `ctx.fail(message, errors)` rejects the same way.
 */
export type ValidationResult = void | undefined | null | { errors?: readonly ValidationIssue[] };

/**
 * Input of a computed-field script (kind `computed`), named by a field's `script`: it runs
 * on every save of the record, before the validations, and returns the field's value.
 */
export interface ComputedInput {
  entity: string;
  /** The field being computed. */
  field: string;
  operation: 'create' | 'update';
  /** The record as it will be written (fields computed before this one included). */
  record: Record<string, unknown>;
  /** Updates: the stored record before the change. */
  previous?: ScriptRecord;
}

/**
 * Input of a flow script: a `script` node's script, or a condition branch's
 * (`{ "script": "<name>" }` on an edge). It runs inside the transaction of the action that
 * moved the instance, as the user who acted (the system for timers).
 */
export interface FlowScriptInput {
  instance: { id: number; flow: string; title: string; initiator: number | null };
  /** The node being run (the condition node, for a branch). */
  node: { key: string; name: string; kind: string };
  /** The instance's form data (a copy). */
  data: Record<string, unknown>;
  /** Condition branches: the node the branch leads to. */
  branch?: string;
}

/**
 * What a script node returns: `set` merges into the instance's form data; `next` names the
 * node to go to when the script node has several outgoing edges (one of their targets);
 * `outcome: 'rejected'` ends the instance as rejected. A condition branch's script returns
 * a boolean (`true`: take the branch).
 */
export type FlowScriptResult = void | undefined | null | { set?: Record<string, unknown>; next?: string; outcome?: 'approved' | 'rejected' };

export interface JobInput {
  /** ISO date-time of the scheduled fire time. */
  scheduledAt: string;
  cron?: string;
  timeZone?: string;
}

export interface EndpointInput {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * What a subscriber script gets. `event`: `<entity>.<created|updated|deleted>` (payload
 * `{ entity, id, record, actor }`) or a flow's end, `flow.<status>` / `flow:<code>.<status>`
 * (payload `{ flow, instance, title, status, initiator, entity, record, data, actor }`).
 */
export interface EventInput {
  event: string;
  payload: unknown;
}

/** Input type per kind. */
export interface ScriptInputs {
  hook: HookInput;
  validation: ValidationInput;
  computed: ComputedInput;
  flow: FlowScriptInput;
  job: JobInput;
  endpoint: EndpointInput;
  subscriber: EventInput;
}

/** The shape of a script's default export. */
export type ScriptFunction<K extends ScriptKind = ScriptKind, R = unknown> = (input: ScriptInputs[K], ctx: ScriptContext) => R | Promise<R>;
