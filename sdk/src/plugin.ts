import type { EntityDef } from './entities';
import type { DataContext } from './records';
import type { I18nText } from './fields';

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
}

/** Declare a plugin. The object is plain data plus a few functions; the core validates it on load. */
export function definePlugin<const P extends PluginDef>(def: P): P {
  return def;
}
