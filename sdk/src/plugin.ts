import type { EntityDef, IndexDef } from './entities';
import type { AnyRecord, DataContext } from './records';
import type { FieldDef, I18nText } from './fields';
import type { ActionDef, Directory, GrantDef } from './access';
import type { Filter } from './query';

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

/**
 * A related tab (关联菜单) on the records of an entity: opening a customer shows its
 * contacts, contracts, orders… Each tab lists the records of `target` whose reference
 * field `foreignKey` points at the open record. Administrators may rename, reorder and
 * hide a plugin's tabs; their changes are kept as an overlay across upgrades.
 */
export interface RelatedTabDef {
  /** Stable key, unique among the tabs of `entity`: `contacts`. URLs and admin overlays use it. */
  key: string;
  /** The entity whose records show the tab. */
  entity: string;
  /** The entity whose records the tab lists. */
  target: string;
  /** The reference field of `target` that points at `entity`. */
  foreignKey: string;
  /** Default: the target entity's label. */
  label?: I18nText;
  /** Position among the entity's tabs, lowest first. Default 100. */
  order?: number;
}

/**
 * Schema steps a migration takes through the metadata, without SQL. New entities,
 * fields and indexes need no step: they are created from the new definitions before the
 * migrations run. Nothing is ever dropped: an old column stays (with its data) after its
 * field is gone from the definitions.
 */
export interface SchemaSteps {
  /**
   * A field was renamed from `from` (its name in the previous version) to `to`: copy the
   * old column's values into the new field's column on every row (deleted ones too)
   * where the new one is empty. Returns the number of rows copied.
   */
  renameField(entity: string, from: string, to: string): Promise<number>;
  /**
   * Set `field` to `value` on every row (deleted ones too) where it is empty, or on the
   * live rows matching `filter` (the query language). The value is validated like a
   * client's. Returns the number of rows changed.
   */
  fill(entity: string, field: string, value: unknown, filter?: Filter): Promise<number>;
}

export interface MigrationContext extends DataContext {
  /** The installed version being upgraded, and the version of the code. */
  readonly from: string;
  readonly to: string;
  readonly schema: SchemaSteps;
  readonly log: Logger;
}

/**
 * One upgrade step. Pending migrations (not yet recorded for this plugin) run in the
 * order declared, in one transaction, when the plugin's code is newer than its installed
 * version; each is recorded by name and never runs twice. A fresh install records them
 * all without running them (its seed creates data in the current shape).
 */
export interface PluginMigration {
  /** Unique within the plugin and never renamed: `2.0.0-split-name`. */
  name: string;
  up(ctx: MigrationContext): Promise<void>;
}

export interface RoleDef {
  code: string;
  label: I18nText;
  description?: I18nText;
}

/**
 * A plugin's code. Name, version, dependencies and entities must agree with its
 * `plugin.json` (see `PluginManifest`), which also carries its label, description,
 * menus, roles and permissions.
 */
export interface PluginDef {
  /** Lower-case, unique: `customers`. Also the npm package suffix `@plinth/plugin-customers`. */
  name: string;
  /** Semantic version of the plugin's code. */
  version: string;
  /** Taken from plugin.json. */
  label?: I18nText;
  description?: I18nText;
  /** Names of the plugins it needs (plugin.json `dependencies` gives their versions). */
  dependsOn?: readonly string[];
  entities?: readonly EntityDef[];
  /** Runs once, in a transaction, after the plugin's schema is first created. */
  seed?: (ctx: SeedContext) => Promise<void>;
  /** Upgrade steps, oldest first; see `PluginMigration`. */
  migrations?: readonly PluginMigration[];
  routes?: (router: PluginRouter) => void;
  /** Record hooks by entity name (this plugin's entities or others'). */
  hooks?: Readonly<Record<string, EntityHooks>>;
  /** Fields added to other plugins' entities. */
  extend?: readonly EntityExtension[];
  /**
   * Related tabs: on this plugin's entities, on entities of plugins it depends on, or
   * listing this plugin's own entities.
   */
  related?: readonly RelatedTabDef[];
  /** Roles this plugin adds besides the built-in ones (plugin.json `contributes.roles`; if given here too, the codes must agree). */
  roles?: readonly RoleDef[];
  /** What the roles may do with this plugin's (or other) entities. */
  grants?: readonly GrantDef[];
  /** Custom actions on entities, granted like the standard ones (plugin.json `contributes.permissions`; if given here too, they must agree). */
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
