import type { AddressInfo } from 'node:net';
import http from 'node:http';
import Router from '@koa/router';
import type Koa from 'koa';
import type { Context } from 'koa';
import type { Actor, PluginDef } from '@plinth/sdk';
import type { Config } from './config';
import { PLATFORM_VERSION } from './version';
import { createLogger, pluginLogger, type Logger } from './logger';
import { createHttpApp } from './http';
import { healthRoutes } from './health';
import { discoverPlugins, type LoadedPlugin } from '../plugins/discovery';
import { orderByDependencies } from '../plugins/order';
import { pluginStateSchema, readPluginStates, recordInstalled, recordSeeded, recordVersion } from '../plugins/state';
import { MetaRegistry } from '../meta/registry';
import { Database } from '../data/database';
import { entitySchemas } from '../data/schema';
import { AUTH_SCHEMAS } from '../auth/schema';
import { AccessLoader } from '../access/loader';
import { AuditLog, auditSchema } from '../audit/log';
import { syncRolesAndGrants } from '../access/seed';
import { systemPlugin } from '../system/plugin';
import { Keyring } from '../crypto/keyring';
import { ScriptEngine, type ScriptEngineOptions } from '../scripts/engine';
import { ScriptRepository } from '../scripts/repository';
import { ScriptRuntime } from '../scripts/runtime';
import { scriptSchemas } from '../scripts/schema';
import { scriptEntityHooks } from '../scripts/entity-hooks';
import { scriptRoutes } from '../api/scripts';
import { scriptEndpointRoutes } from '../api/script-endpoints';
import { JobScheduler, jobFireSchema } from '../jobs/scheduler';
import { EventBus } from '../jobs/events';
import { PluginError } from '../plugins/discovery';
import { Sessions } from '../auth/sessions';
import { RecordStore } from '../services/records';
import { ServiceDataContext } from '../services/context';
import { recordRoutes } from '../api/records';
import { PUBLIC_AUTH_PATHS, authRoutes, requireActor } from '../api/auth';
import { pluginRoutes } from '../api/ext';
import { openApiDocument } from '../api/openapi';
import { docsRoutes } from '../api/docs';
import { auditRoutes } from '../api/audit';

export { PLATFORM_VERSION };

export interface PlatformOptions {
  /** Load plugins from their TypeScript sources (tests). */
  pluginSource?: boolean;
  /** Load only these plugin folders. */
  plugins?: readonly string[];
  logger?: Logger;
  /** Listen for HTTP (default true). */
  listen?: boolean;
  /** Field-encryption keys; default: from ENCRYPTION_KEY… or a key file in the data folder. */
  keyring?: Keyring;
  /** Script engine settings (worker entry, pool sizes); workers start on the first script run. */
  scripts?: ScriptEngineOptions;
}

/**
 * The kernel: discovers plugins, orders them, builds the metadata and the schema,
 * seeds once, and serves the generic API and the plugins' routes.
 */
export class Platform {
  private server: http.Server | null = null;

  private constructor(
    readonly config: Config,
    readonly log: Logger,
    readonly db: Database,
    readonly meta: MetaRegistry,
    readonly store: RecordStore,
    readonly sessions: Sessions,
    readonly plugins: readonly PluginDef[],
    readonly app: Koa,
    readonly scripts: ScriptRuntime,
    private readonly jobs: JobScheduler,
  ) {}

  static async start(config: Config, options: PlatformOptions = {}): Promise<Platform> {
    const log = options.logger ?? createLogger(config.logLevel);
    const loaded: LoadedPlugin[] = discoverPlugins(config.pluginsDir, { source: options.pluginSource, only: options.plugins });
    if (loaded.some((p) => p.def.name === 'system')) throw new PluginError('The plugin name "system" is reserved for the platform');
    let access: AccessLoader | null = null;
    const plugins: PluginDef[] = [systemPlugin(() => access?.invalidate()), ...orderByDependencies(loaded.map((p) => p.def))];
    const meta = new MetaRegistry();
    for (const plugin of plugins) for (const entity of plugin.entities ?? []) meta.add(plugin.name, entity);
    for (const plugin of plugins) for (const ext of plugin.extend ?? []) meta.extend(plugin.name, ext);
    meta.validate();

    let sessions: Sessions | null = null;
    const db = await Database.open(config.database, [...AUTH_SCHEMAS, pluginStateSchema, auditSchema, ...scriptSchemas(config.database.kind), jobFireSchema, ...entitySchemas(meta, config.database.kind)]);
    try {
      await db.syncSchema();
      access = new AccessLoader(db);
      const hooks = plugins.filter((p) => p.hooks).map((p) => ({ plugin: p.name, hooks: p.hooks!, log: pluginLogger(log.child({ plugin: p.name })) }));
      let keyring = options.keyring;
      if (!keyring) {
        const loaded = Keyring.load(process.env, config.dataDir);
        if (loaded.generatedFile) log.warn({ file: loaded.generatedFile }, 'Generated field-encryption keys; set ENCRYPTION_KEY and ENCRYPTION_INDEX_KEY for production (see docs/security.md)');
        keyring = loaded.keyring;
      }
      const events = new EventBus((err, event) => log.error({ event: event.event, id: event.id, err: String(err) }, 'event listener failed'));
      const store = new RecordStore(meta, db, access, hooks, new AuditLog(db), keyring, events);
      // auth: sessions in the database, or in Redis when REDIS_URL is set
      sessions = new Sessions(db, { ttlSeconds: config.sessionTtlSeconds, auth: config.auth, audit: store.audit });
      await sessions.start(config.redis, log);
      const bootstrap: Actor = { userId: null, username: 'system', isAdmin: true };
      await sessions.ensureAdmin(config.adminUsername, config.adminPassword, (tx, data) => store.service('user', bootstrap, tx).create(data));
      const admin = await sessions.adminActor(config.adminUsername);
      const providers = plugins.filter((p) => p.directory);
      if (providers.length > 1) throw new PluginError(`Only one plugin may provide the directory; found ${providers.map((p) => p.name).join(', ')}`);
      if (providers[0]) {
        const directory = providers[0].directory!(new ServiceDataContext(store, admin, db, true));
        access.useDirectory(directory);
        const changed = () => {
          directory.invalidate?.();
          access?.invalidate();
        };
        const watch = { afterCreate: changed, afterUpdate: changed, afterDelete: changed };
        store.hooks.add({ plugin: 'access', hooks: Object.fromEntries((directory.entities ?? []).map((e) => [e, watch])), log: pluginLogger(log) });
      }
      await Platform.installPlugins(plugins, db, store, admin, config.demoData, log);
      await syncRolesAndGrants(store, db, plugins, admin);
      const scripts = Platform.wireScripts(options.scripts ?? {}, db, meta, store, log);
      // Hook lists are read at every record write, inside its transaction: load them now.
      await Promise.all((['hook', 'job', 'endpoint'] as const).map((kind) => scripts.find(kind)));
      const app = Platform.buildApp(config, log, db, meta, store, sessions, plugins, scripts);
      const jobs = new JobScheduler(scripts, store, db, admin, log);
      await jobs.start();
      const platform = new Platform(config, log, db, meta, store, sessions, plugins, app, scripts, jobs);
      if (options.listen !== false) await platform.listen();
      return platform;
    } catch (err) {
      await sessions?.close();
      await db.close();
      throw err;
    }
  }

  /** Record each plugin in the database and run its seed the first time, in one transaction. */
  private static async installPlugins(plugins: readonly PluginDef[], db: Database, store: RecordStore, admin: Actor, demo: boolean, log: Logger): Promise<void> {
    const states = await readPluginStates(db);
    for (const plugin of plugins) {
      const state = states.get(plugin.name);
      if (!state) await recordInstalled(db, plugin.name, plugin.version);
      else if (state.version !== plugin.version) await recordVersion(db, plugin.name, plugin.version);
      if (state?.seededAt || !plugin.seed) continue;
      const started = Date.now();
      const seed = plugin.seed;
      await db.transaction(async (tx) => {
        const data = new ServiceDataContext(store, admin, tx);
        await seed({ actor: admin, records: (e) => data.records(e), transaction: (fn) => data.transaction(fn), can: (e, a, id) => data.can(e, a, id), demo, log: pluginLogger(log.child({ plugin: plugin.name })) });
        await recordSeeded(tx, plugin.name);
      });
      log.info({ plugin: plugin.name, ms: Date.now() - started }, 'plugin seeded');
    }
  }

  /**
   * Stored scripts: the runtime, and hook scripts (`<entity>:<event>`) on every entity.
   * A hook script acts as the user who made the change, inside the write's transaction.
   * Worker processes start on the first script run.
   */
  private static wireScripts(options: ScriptEngineOptions, db: Database, meta: MetaRegistry, store: RecordStore, log: Logger): ScriptRuntime {
    const engine = new ScriptEngine({
      ...options,
      onHostError: (err, op, script) => log.error({ script, op, err: String(err) }, 'script host call failed'),
    });
    const runtime = new ScriptRuntime({
      engine,
      repository: new ScriptRepository(db),
      onError: (err) => log.error({ err: String(err) }, 'script run log failed'),
      // A script with a service role acts with exactly that role's grants, in the caller's transaction.
      contextFor: (script, caller) =>
        script.serviceRole && caller instanceof ServiceDataContext
          ? caller.withActor({ userId: null, username: `script:${script.name}`, isAdmin: false, serviceRole: script.serviceRole, origin: caller.actor.origin })
          : caller,
    });
    const hooks = Object.fromEntries(meta.all().map((e) => [e.name, scriptEntityHooks(runtime, e.name, { dataFor: (ctx) => ctx.asCaller })]));
    store.hooks.add({ plugin: 'scripts', hooks, log: pluginLogger(log.child({ plugin: 'scripts' })) });
    // Subscriber scripts (target `<entity>.<created|updated|deleted>`) run after the commit,
    // as the system, each in its own transaction; a failure is logged and recorded, never
    // reported to the writer.
    const system: Actor = { userId: null, username: 'system', isAdmin: true };
    store.events.subscribe(async (e) => {
      for (const script of await runtime.find('subscriber', e.event)) {
        await db
          .transaction((tx) => runtime.runScript(script, { event: e.event, payload: { entity: e.entity, id: e.id, record: e.record, actor: e.actor } }, { data: new ServiceDataContext(store, system, tx), trigger: `event:${e.event}` }))
          .catch((err: unknown) => log.warn({ script: script.name, event: e.event, err: (err as Error).message }, 'subscriber failed'));
      }
    });
    return runtime;
  }

  private static buildApp(config: Config, log: Logger, db: Database, meta: MetaRegistry, store: RecordStore, sessions: Sessions, plugins: readonly PluginDef[], scripts: ScriptRuntime): Koa {
    const root = new Router();
    healthRoutes(root, db, PLATFORM_VERSION);
    docsRoutes(root);
    const api = new Router({ prefix: '/api/v1' });
    const openapi = JSON.stringify(openApiDocument(meta, PLATFORM_VERSION));
    const publicPaths = new Set([...PUBLIC_AUTH_PATHS, '/api/v1/openapi.json']);
    api.use(requireActor(sessions, (ctx) => publicPaths.has(ctx.path), (plural) => meta.byPluralName(plural)?.name ?? null));
    api.get('/openapi.json', (ctx) => {
      ctx.type = 'application/json';
      ctx.body = openapi;
    });
    const current = () => store;
    authRoutes(api, sessions, current);
    for (const plugin of plugins) {
      const router = pluginRoutes(plugin, current, log);
      if (router) api.use(router.routes(), router.allowedMethods());
    }
    auditRoutes(api, current);
    scriptRoutes(api, scripts, current);
    scriptEndpointRoutes(api, scripts, current);
    recordRoutes(api, current);
    const onDenied = async (ctx: Context, err: Error) => {
      const actor = ctx.state.actor as Actor | undefined;
      if (actor) await store.audit.event(actor, { action: 'denied', detail: `${ctx.method} ${ctx.path}: ${err.message}` });
    };
    return createHttpApp({ log, bodyLimit: config.bodyLimit, root, api, onDenied, trustProxy: config.trustProxy });
  }

  async listen(): Promise<void> {
    const server = http.createServer(this.app.callback());
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => resolve());
    });
    this.server = server;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.jobs.stop();
    await this.store.events.idle();
    await this.scripts.flush();
    await this.scripts.engine.close();
    await this.sessions.close();
    await this.db.close();
  }
}
