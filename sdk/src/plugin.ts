import type { EntityDef, IndexDef } from './entities';
import type { AnyRecord, DataContext } from './records';
import type { FieldDef, I18nText } from './fields';
import type { ActionDef, Directory, GrantDef } from './access';

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export interface SeedContext extends DataContext {
  /** True when the platform was asked for demo data (the default for `npm start`). */
  readonly demo: boolean;
  readonly log: Logger;
}

export interface RouteContext extends DataContext {
  readonly params: Record<string, string>;
  readonly query: Record<string, string | string[] | undefined>;
  readonly body: unknown;
  readonly log: Logger;
}

export type RouteHandler = (ctx: RouteContext) => unknown | Promise<unknown>;

/** Routes a plugin adds, mounted under `/api/v1/ext/{plugin}`. A handler's return value is the JSON body. */
export interface PluginRouter {
  get(path: string, handler: RouteHandler): void;
  post(path: string, handler: RouteHandler): void;
  put(path: string, handler: RouteHandler): void;
  patch(path: string, handler: RouteHandler): void;
  delete(path: string, handler: RouteHandler): void;
}

export interface HookContext extends DataContext {
  /** The entity whose record is being written. */
  readonly entity: string;
  readonly log: Logger;
  /** Data access as the user who made the change (their permissions), in the same transaction. */
  readonly asCaller: DataContext;
}

/**
 * Code that runs inside a record write, in its transaction: a hook's own writes commit or
 * roll back with it, and a hook that throws (e.g. `ValidationError`) cancels the write.
 * `before*` hooks may return a replacement for the incoming data.
 */
export interface EntityHooks {
  beforeCreate?(data: Record<string, unknown>, ctx: HookContext): Promise<Record<string, unknown> | void> | Record<string, unknown> | void;
  afterCreate?(record: AnyRecord, ctx: HookContext): Promise<void> | void;
  beforeUpdate?(change: { before: AnyRecord; patch: Record<string, unknown> }, ctx: HookContext): Promise<Record<string, unknown> | void> | Record<string, unknown> | void;
  afterUpdate?(change: { before: AnyRecord; after: AnyRecord }, ctx: HookContext): Promise<void> | void;
  beforeDelete?(record: AnyRecord, ctx: HookContext): Promise<void> | void;
  afterDelete?(record: AnyRecord, ctx: HookContext): Promise<void> | void;
}

/** Fields a plugin adds to another plugin's entity (which must be among its dependencies). */
export interface EntityExtension {
  entity: string;
  fields: Record<string, FieldDef>;
  indexes?: readonly IndexDef[];
}

export interface RoleDef {
  code: string;
  label: I18nText;
  description?: I18nText;
}

export interface PluginDef {
  /** Lower-case, unique: `customers`. Also the npm package suffix `@plinth/plugin-customers`. */
  name: string;
  /** Semantic version of the plugin's code. */
  version: string;
  label?: I18nText;
  description?: I18nText;
  /** Names of plugins that must be loaded first. */
  dependsOn?: readonly string[];
  entities?: readonly EntityDef[];
  /** Runs once, in a transaction, after the plugin's schema is first created. */
  seed?: (ctx: SeedContext) => Promise<void>;
  routes?: (router: PluginRouter) => void;
  /** Record hooks by entity name (this plugin's entities or others'). */
  hooks?: Readonly<Record<string, EntityHooks>>;
  /** Fields added to other plugins' entities. */
  extend?: readonly EntityExtension[];
  /** Roles this plugin adds besides the built-in ones. */
  roles?: readonly RoleDef[];
  /** What the roles may do with this plugin's (or other) entities. */
  grants?: readonly GrantDef[];
  /** Custom actions on entities, granted like the standard ones. */
  actions?: readonly ActionDef[];
  /**
   * The organisation directory the permission layer asks about users (departments,
   * branch, subordinates, groups). At most one enabled plugin provides it. The data
   * context it gets acts as the system, not as a user.
   */
  directory?: (system: DataContext) => Directory;
}

/** Declare a plugin. The object is plain data plus a few functions; the core validates it on load. */
export function definePlugin<const P extends PluginDef>(def: P): P {
  return def;
}
