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
import { discoverPlugins } from '../plugins/discovery';
import { pluginMigrationSchema, pluginStateSchema } from '../plugins/state';
import { PluginManager } from '../plugins/manager';
import { pluginWiring } from '../plugins/wiring';
import { pluginHost } from '../plugins/host';
import { MetaRegistry } from '../meta/registry';
import { Database } from '../data/database';
import { AUTH_SCHEMAS } from '../auth/schema';
import { AccessLoader } from '../access/loader';
import { AuditLog, auditSchema } from '../audit/log';
import { syncRolesAndGrants } from '../access/seed';
import { SYSTEM_MANIFEST, systemPlugin } from '../system/plugin';
import { Keyring } from '../crypto/keyring';
import { ScriptEngine, type ScriptEngineOptions } from '../scripts/engine';
import { ScriptRepository } from '../scripts/repository';
import { ScriptRuntime } from '../scripts/runtime';
import { scriptSchemas } from '../scripts/schema';
import { scriptEntityHooks, scriptRecordChecks } from '../scripts/entity-hooks';
import { RecordScripts, computedFieldsOf } from '../scripts/record-checks';
import { ScriptSubscribers } from '../scripts/subscribers';
import { flowFormChecks, flowScriptHook } from '../scripts/flow-hook';
import { scriptRoutes } from '../api/scripts';
import { scriptEndpointRoutes } from '../api/script-endpoints';
import { JobScheduler, jobFireSchema } from '../jobs/scheduler';
import { EventBus } from '../jobs/events';
import { Sessions } from '../auth/sessions';
import { RecordStore } from '../services/records';
import { ServiceDataContext } from '../services/context';
import { recordRoutes } from '../api/records';
import { PUBLIC_AUTH_PATHS, authRoutes, requireActor } from '../api/auth';
import { scopeLookup } from '../api/scope-lookup';
import { entityGate, extRoutes } from '../api/ext';
import { pluginAdminRoutes } from '../api/plugins';
import { menuRoutes } from '../api/menus';
import { Menus } from '../menus/menus';
import { menuOverlaySchema } from '../menus/overlays';
import { menuOverlaySection } from '../menus/package-section';
import { prefsSchemas, setupWeb, type Web } from '../render';
import { openApiDocument } from '../api/openapi';
import { docsRoutes } from '../api/docs';
import { auditRoutes } from '../api/audit';
import { Signals, signalSchema } from '../cluster/signals';
import { metaRoutes } from '../api/meta';
import { customFieldRoutes } from '../api/custom-fields';
import { packageRoutes } from '../api/packages';
import { Packages } from '../packages/packages';
import { PLATFORM_RECORD_SECTIONS } from '../packages/records';
import { scriptSection } from '../packages/scripts';
import { fieldDictionaryUses } from '../custom/dictionary-uses';
import { MetaRuntime } from '../meta/runtime';
import { CustomFields } from '../custom/fields';
import { customFieldSchema, fieldOverlaySchema } from '../custom/store';
import { BaseData } from '../basedata';
import { baseDataRoutes } from '../api/basedata';
import { relatedRoutes } from '../api/related';
import { declaredTabs, setupRelatedTabs, type RelatedTabs } from '../related';
import { fileSchemas } from '../files/schema';
import { DatabaseFileStore, type FileStore } from '../files/store';
import { fileRoutes, isUpload } from '../api/files';
import { FormService } from '../forms/service';
import { formSchemas } from '../forms/repository';
import { FormRecords, dataFormGuard } from '../forms/records';
import { RuntimeDataForms, dataFormEntities } from '../forms/runtime';
import { formDictionaryUses, formEntityUses } from '../forms/usage';
import { customFieldEntityUses } from '../custom/entity-uses';
import { formSection } from '../forms/package';
import { validTimeZone } from '../forms/submission';
import { formRoutes } from '../api/forms';
import { isImportUpload, ioRoutes } from '../api/io';
import { Flows, flowSchemas } from '../flows';
import { flowRoutes } from '../api/flows';
import { NotificationCentre, notificationSchema } from '../notify';
import { notificationRoutes } from '../api/notifications';
import type { ScriptHostServices } from '../scripts/host';

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
  /** How often the flow timers are polled (ms, default 1000). */
  flowTimerPollMs?: number;
}

/**
 * The kernel: discovers plugins, orders them, builds the metadata and the schema,
 * seeds once, and serves the generic API and the plugins' routes.
 */
export class Platform {
  private server: http.Server | null = null;
  /** The flow engine (approvals, business processes, official documents). */
  flows!: Flows;
  /** In-app notifications (站内消息) and their live streams. */
  notifications!: NotificationCentre;

  private constructor(
    readonly config: Config,
    readonly log: Logger,
    readonly db: Database,
    readonly meta: MetaRegistry,
    readonly store: RecordStore,
    readonly sessions: Sessions,
    /** Which plugins run; their lifecycle while the platform runs. */
    readonly pluginManager: PluginManager,
    readonly app: Koa,
    readonly scripts: ScriptRuntime,
    private readonly jobs: JobScheduler,
    /** "Reload X" messages between the nodes (Redis, else a database poll). */
    readonly signals: Signals,
    readonly runtime: MetaRuntime,
    readonly customFields: CustomFields,
    /** Dictionaries, category trees and system parameters. */
    readonly basedata: BaseData,
    /** Sections of configuration packages; modules with admin-made definitions register theirs. */
    readonly packages: Packages,
    readonly related: RelatedTabs,
    /** Uploaded files (metadata and contents); file fields hold their ids. */
    readonly files: FileStore,
    /** Custom form definitions (the flow engine reads workflow forms here). */
    readonly forms: FormService,
  ) {}

  get dictionaries() {
    return this.basedata.dictionaries;
  }

  get parameters() {
    return this.basedata.parameters;
  }

  /** The enabled plugins, the system first, each after what it depends on. */
  get plugins(): readonly PluginDef[] {
    return this.pluginManager.enabled();
  }

  static async start(config: Config, options: PlatformOptions = {}): Promise<Platform> {
    const log = options.logger ?? createLogger(config.logLevel);
    // Manifests only: no plugin code runs before the database says which plugins are enabled.
    const pluginPackages = discoverPlugins(config.pluginsDir, { source: options.pluginSource, only: options.plugins });
    let access: AccessLoader | null = null;
    const system = systemPlugin(() => access?.invalidate());
    const meta = new MetaRegistry();

    let sessions: Sessions | null = null;
    let signals: Signals | null = null;
    let notifications: NotificationCentre | null = null;
    const db = await Database.open(config.database, [
      ...AUTH_SCHEMAS, pluginStateSchema, pluginMigrationSchema, auditSchema(config.database.kind), ...scriptSchemas(config.database.kind), jobFireSchema, signalSchema,
      customFieldSchema, fieldOverlaySchema, ...fileSchemas(config.database.kind), ...formSchemas(config.database.kind), menuOverlaySchema, ...flowSchemas(config.database.kind), ...prefsSchemas, notificationSchema,
    ]);
    try {
      // The platform's own tables first; the entities' tables come with the whole metadata
      // (custom fields included), so a sync never sees a custom column as one to drop an index of.
      await db.syncSchema();
      signals = await Signals.start(db, { redis: config.redis, pollMs: config.clusterPollMs, log });
      // The enabled plugins (and those to install or upgrade now) from the database's plugin states.
      const plugins = await PluginManager.load({
        db, packages: pluginPackages, system, systemManifest: SYSTEM_MANIFEST, platformVersion: PLATFORM_VERSION, autoInstall: config.pluginsAutoInstall, demo: config.demoData, log, signals,
      });
      // Custom fields and overlays join the plugins' metadata; other nodes' changes arrive as signals.
      const runtime = new MetaRuntime(meta, db, () => plugins.enabled(), signals, log);
      runtime.addSource('forms', dataFormEntities);
      await runtime.start();
      access = new AccessLoader(db);
      let keyring = options.keyring;
      if (!keyring) {
        const loaded = Keyring.load(process.env, config.dataDir);
        if (loaded.generatedFile) log.warn({ file: loaded.generatedFile }, 'Generated field-encryption keys; set ENCRYPTION_KEY and ENCRYPTION_INDEX_KEY for production (see docs/security.md)');
        keyring = loaded.keyring;
      }
      const events = new EventBus((err, event) => log.error({ event: event.event, id: event.id, err: String(err) }, 'event listener failed'));
      const basedata = new BaseData(db, keyring);
      const store = new RecordStore(meta, db, access, [], new AuditLog(db), keyring, events, basedata.dictionaries);
      const files = new DatabaseFileStore(db);
      store.files = files;
      basedata.attach(store, pluginLogger(log.child({ plugin: 'basedata' })), signals);
      basedata.usage.add(fieldDictionaryUses(meta));
      // auth: sessions in the database, or in Redis when REDIS_URL is set
      sessions = new Sessions(db, { ttlSeconds: config.sessionTtlSeconds, auth: config.auth, audit: store.audit });
      await sessions.start(config.redis, log);
      const bootstrap: Actor = { userId: null, username: 'system', isAdmin: true };
      await sessions.ensureAdmin(config.adminUsername, config.adminPassword, (tx, data) => store.service('user', bootstrap, tx).create(data));
      const admin = await sessions.adminActor(config.adminUsername);
      // Hooks, grants in force and the directory follow the enabled plugins; seeds and upgrades run in settle.
      const wire = pluginWiring(() => store, access, admin, log);
      wire(plugins.enabled());
      const host = pluginHost({ runtime, db, store: () => store, admin, wire, syncAccess: (ps, tx, all) => syncRolesAndGrants(store, tx, ps, admin, all) });
      plugins.onChange(host.follow);
      const related = setupRelatedTabs(() => store, plugins.enabled(), pluginLogger(log.child({ plugin: 'related' })));
      plugins.onChange((enabled) => related.useDeclared(declaredTabs(enabled, store.meta)));
      await plugins.settle(host);
      await basedata.reload();
      notifications = new NotificationCentre({ db, store: () => store, signals, log: log.child({ module: 'notifications' }), retentionDays: config.notificationRetentionDays });
      const { runtime: scripts, subscribers } = Platform.wireScripts(options.scripts ?? {}, db, meta, store, log, { ...basedata.scriptServices, notify: notifications.scriptNotify });
      // Hook lists are read at every record write, inside its transaction: load them now.
      await Promise.all((['hook', 'validation', 'computed', 'flow', 'job', 'endpoint'] as const).map((kind) => scripts.find(kind)));
      const customFields = new CustomFields(runtime, db, store.audit, () => basedata.dictionaries);
      const packages = new Packages(runtime, db, store.audit);
      packages.registerRecords(() => store, admin, PLATFORM_RECORD_SECTIONS);
      packages.register(scriptSection(scripts));
      const dictionaryValues = (code: string) => basedata.dictionaries.values(code);
      const forms = new FormService({
        db, audit: store.audit, access, entities: new RuntimeDataForms(runtime, db),
        context: () => ({ entityExists: (name) => meta.get(name) !== undefined, dictionaryExists: (code) => dictionaryValues(code) !== undefined }),
      });
      basedata.usage.add(formDictionaryUses(db));
      plugins.addUseCheck(formEntityUses(db));
      plugins.addUseCheck(customFieldEntityUses(db));
      packages.register(formSection(runtime, db, dictionaryValues));
      store.hooks.addForEveryEntity({ plugin: 'forms', hooks: dataFormGuard(() => store), log: pluginLogger(log.child({ plugin: 'forms' })) });
      const menus = new Menus(db, () => plugins.servedManifests(), access, store.audit, signals);
      packages.register(menuOverlaySection(menus));
      const submission = () => ({ timeZone: validTimeZone(basedata.parameters.get('system.timeZone', 'Asia/Shanghai')), dictionaries: (code: string) => basedata.dictionaries.values(code) });
      const flows = new Flows({
        db, store, audit: store.audit, access, forms, files, submission, adminUserId: () => admin.userId, log: log.child({ module: 'flows' }), timerPollMs: options.flowTimerPollMs,
        // Script nodes and script conditions: as the user who acted (the system for timers), in the action's transaction.
        scripts: flowScriptHook(scripts, (tx, actor) => new ServiceDataContext(store, actor, tx)),
        formChecks: flowFormChecks(scripts, (tx, actor) => new ServiceDataContext(store, actor, tx)),
      });
      notifications.followFlows(flows.engine.store);
      flows.engine.store.observe(subscribers.flowEnds(flows.engine.store));
      const centre = notifications;
      const web = setupWeb({
        themesDir: config.themesDir, store: () => store, sessions, menus, related, log,
        dictionaries: (code) => basedata.dictionaries.items(code), timeZone: () => submission().timeZone,
        todoCount: async (actor) => (await flows.inbox.counts(actor)).todo,
        notifications: centre,
        forms, formRecords: new FormRecords({ forms, store: () => store, submission, scripts }), flows,
        admin: { plugins, customFields, forms, packages, scripts, endpoints: async () => (await scripts.find('endpoint')).flatMap((s) => (s.target ? [s.target] : [])) },
      });
      const app = Platform.buildApp(config, log, db, meta, store, sessions, plugins, scripts, customFields, basedata, packages, related, files, forms, menus, flows, web, centre);
      const jobs = new JobScheduler(scripts, store, db, admin, log);
      await jobs.start();
      const platform = new Platform(config, log, db, meta, store, sessions, plugins, app, scripts, jobs, signals, runtime, customFields, basedata, packages, related, files, forms);
      platform.flows = flows;
      platform.notifications = centre;
      flows.start();
      if (options.listen !== false) await platform.listen();
      return platform;
    } catch (err) {
      await notifications?.close();
      await signals?.close();
      await sessions?.close();
      await db.close();
      throw err;
    }
  }

  /**
   * Stored scripts: the runtime, and hook scripts (`<entity>:<event>`) on every entity.
   * A hook script acts as the user who made the change, inside the write's transaction.
   * Worker processes start on the first script run.
   */
  private static wireScripts(options: ScriptEngineOptions, db: Database, meta: MetaRegistry, store: RecordStore, log: Logger, services: Omit<ScriptHostServices, 'callScript'>): { runtime: ScriptRuntime; subscribers: ScriptSubscribers } {
    const engine = new ScriptEngine({
      ...options,
      onHostError: (err, op, script) => log.error({ script, op, err: String(err) }, 'script host call failed'),
    });
    const runtime = new ScriptRuntime({
      engine,
      repository: new ScriptRepository(db),
      services,
      onError: (err) => log.error({ err: String(err) }, 'script run log failed'),
      // A script with a service role acts with exactly that role's grants, in the caller's transaction.
      contextFor: (script, caller) =>
        script.serviceRole && caller instanceof ServiceDataContext
          ? caller.withActor({ userId: null, username: `script:${script.name}`, isAdmin: false, serviceRole: script.serviceRole, origin: caller.actor.origin })
          : caller,
    });
    store.hooks.addForEveryEntity({ plugin: 'scripts', hooks: (entity) => scriptEntityHooks(runtime, entity, { dataFor: (ctx) => ctx.asCaller }), log: pluginLogger(log.child({ plugin: 'scripts' })) });
    // Then computed fields (`computedBy`) and validation scripts: they see what the before-hooks set.
    const checks = new RecordScripts(runtime);
    store.hooks.addForEveryEntity({
      plugin: 'scripts',
      hooks: (entity) =>
        scriptRecordChecks(checks, entity, {
          dataFor: (ctx) => ctx.asCaller,
          computedFields: (name) => computedFieldsOf(store.meta.get(name)),
          valueErrors: (name, field, value) => store.validator(name).check('update', { [field]: value }, '', true),
        }),
      log: pluginLogger(log.child({ plugin: 'scripts' })),
    });
    // Subscriber scripts of record changes (target `<entity>.<created|updated|deleted>`).
    const system: Actor = { userId: null, username: 'system', isAdmin: true };
    const subscribers = new ScriptSubscribers(runtime, db, (tx) => new ServiceDataContext(store, system, tx), log);
    store.events.subscribe((e) => subscribers.publish(e.event, { entity: e.entity, id: e.id, record: e.record, actor: e.actor }));
    return { runtime, subscribers };
  }

  private static buildApp(config: Config, log: Logger, db: Database, meta: MetaRegistry, store: RecordStore, sessions: Sessions, plugins: PluginManager, scripts: ScriptRuntime, customFields: CustomFields, basedata: BaseData, packages: Packages, related: RelatedTabs, files: FileStore, forms: FormService, menus: Menus, flows: Flows, web: Web, notifications: NotificationCentre): Koa {
    const root = new Router();
    healthRoutes(root, db, PLATFORM_VERSION);
    docsRoutes(root);
    root.use(web.pages.routes());
    const api = new Router({ prefix: '/api/v1' });
    // The document follows the metadata: rebuilt on the first request after a change.
    let openapi = { version: -1, json: '' };
    const publicPaths = new Set([...PUBLIC_AUTH_PATHS, '/api/v1/openapi.json']);
    api.use(requireActor(sessions, (ctx) => publicPaths.has(ctx.path), scopeLookup(meta)));
    api.get('/openapi.json', (ctx) => {
      if (openapi.version !== meta.version) openapi = { version: meta.version, json: JSON.stringify(openApiDocument(meta, PLATFORM_VERSION)) };
      ctx.type = 'application/json';
      ctx.body = openapi.json;
    });
    const current = () => store;
    authRoutes(api, sessions, current);
    pluginAdminRoutes(api, plugins);
    menuRoutes(api, menus);
    web.api(api);
    extRoutes(api, plugins, current, log);
    auditRoutes(api, current);
    metaRoutes(api, current);
    customFieldRoutes(api, () => customFields);
    packageRoutes(api, () => packages);
    scriptRoutes(api, scripts, current);
    scriptEndpointRoutes(api, scripts, current);
    baseDataRoutes(api, current, basedata);
    relatedRoutes(api, related, current);
    fileRoutes(api, files, current, config.uploadLimit);
    const submission = () => ({ timeZone: validTimeZone(basedata.parameters.get('system.timeZone', 'Asia/Shanghai')), dictionaries: (code: string) => basedata.dictionaries.values(code) });
    formRoutes(api, forms, new FormRecords({ forms, store: current, submission, scripts }), submission);
    flowRoutes(api, () => flows);
    notificationRoutes(api, () => notifications.service, () => notifications.live);
    api.use(entityGate(plugins));
    ioRoutes(api, current, { limits: { maxBytes: config.importMaxBytes, maxRows: config.importMaxRows }, timeZone: () => submission().timeZone, log, dictionaries: basedata.dictionaries });
    recordRoutes(api, current);
    const onDenied = async (ctx: Context, err: Error) => {
      const actor = ctx.state.actor as Actor | undefined;
      if (actor) await store.audit.event(actor, { action: 'denied', detail: `${ctx.method} ${ctx.path}: ${err.message}` });
    };
    return createHttpApp({ log, bodyLimit: config.bodyLimit, root, api, onDenied, trustProxy: config.trustProxy, streamed: (ctx) => isUpload(ctx) || isImportUpload(ctx.path, (plural) => meta.byPluralName(plural) !== undefined) });
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
    await this.flows.stop();
    await this.notifications.close();
    await this.signals.close();
    await this.store.events.idle();
    await this.scripts.flush();
    await this.scripts.engine.close();
    await this.sessions.close();
    await this.db.close();
  }
}
