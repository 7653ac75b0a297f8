import semver from 'semver';
import { ConflictError, NotFoundError, ValidationError, type Actor, type PluginDef, type PluginManifest } from '@plinth/sdk';
import type { Logger } from '../app/logger';
import { pluginLogger } from '../app/logger';
import { HttpError } from '../app/errors';
import type { Executor } from '../data/database';
import type { Signals } from '../cluster/signals';
import type { RecordStore } from '../services/records';
import { ServiceDataContext } from '../services/context';
import { snakeCase } from '../meta/model';
import { PluginError, loadPlugin, type PluginPackage } from './discovery';
import { dependencyOrder, graphProblems } from './graph';
import type { Problem } from './manifest';
import { MigrationError, baselineMigrations, describeError, upgradePlugin } from './migrations';
import { readPluginStates, recordEnabled, recordFailure, recordInstalled, recordSeeded, recordUninstalled, type PluginState } from './state';

/** How a plugin stands, as the administration shows it. */
export type PluginStatus =
  /** Served: its routes, entities, menus and grants are live. */
  | 'enabled'
  /** Installed, switched off by the administrator. */
  | 'disabled'
  /** Code present, not installed (never, or uninstalled). */
  | 'available'
  /** Enabled, but its last upgrade failed: not served until it succeeds. */
  | 'failed'
  /** Problems in its manifest, code or dependencies: not loaded. */
  | 'broken'
  /** Installed, but its code is no longer deployed. */
  | 'missing';

export interface PluginInfo {
  name: string;
  /** The platform's own plugin (users, roles…): always enabled. */
  builtin: boolean;
  status: PluginStatus;
  /** The administrator's choice; an enabled plugin may still be unavailable (failed, broken). */
  enabled: boolean;
  installed: boolean;
  /** The version its data is in. */
  installedVersion: string | null;
  /** The version of the code deployed on this node. */
  codeVersion: string | null;
  label: PluginManifest['label'] | null;
  description: PluginManifest['description'] | null;
  dependencies: Record<string, string>;
  /** Installed plugins that depend on this one. */
  dependents: string[];
  problems: Problem[];
  /** Why its last upgrade failed. */
  failure: { message: string; at: string | null } | null;
  /** Why installing it at start failed (nothing of it was kept); install it again once fixed. */
  installError: string | null;
  /** Why an enabled plugin is not served; its routes and entities answer 503 with it. */
  unavailable: string | null;
  manifest: PluginManifest | null;
}

/** What a lifecycle operation would do, in order. */
export interface PluginPlan {
  install: string[];
  enable: string[];
  upgrade: string[];
}

/** What the manager needs from the running platform. */
export interface PluginHost {
  /** The record store of the current metadata. */
  store(): RecordStore;
  /** The system actor seeds and migrations act as. */
  readonly admin: Actor;
  /** Make the roles and grants of `plugins` current (`all`: every enabled plugin), in `tx`. */
  syncAccess(plugins: readonly PluginDef[], tx: Executor, all: readonly PluginDef[]): Promise<void>;
  /**
   * Go live with `plugins` (metadata and tables, hooks, grants) and run `write` in one
   * transaction with the schema change where the database allows; throws when it failed.
   */
  change(plugins: readonly PluginDef[], write: (tx: Executor) => Promise<void>): Promise<void>;
}

export interface PluginManagerOptions {
  db: Executor;
  packages: readonly PluginPackage[];
  /** The built-in plugin and its manifest. */
  system: PluginDef;
  systemManifest: PluginManifest;
  platformVersion: string;
  /** Install (and enable) plugins the database has never seen, at start. */
  autoInstall: boolean;
  demo: boolean;
  log: Logger;
  signals: Signals | null;
}

export type PluginListener = (enabled: readonly PluginDef[]) => void | Promise<void>;

/**
 * What refers to any of `entities` from outside their plugin (data forms, custom fields of
 * other entities …), as short descriptions naming it; empty when nothing does.
 */
export type EntityUseCheck = (entities: ReadonlySet<string>) => Promise<string[]>;

export const PLUGINS_TOPIC = 'plugins';

/**
 * Which plugins run, and their lifecycle while the platform runs. The database says what
 * is installed and enabled (and at which version); the disk says what code is deployed.
 * A plugin is served when it is installed, enabled, loadable (manifest, code and
 * dependencies agree), at the version of its code, and everything it needs is served.
 * Every change of the served set reaches the `onChange` listeners (metadata, routes,
 * permissions, menus) on this node, and through the `plugins` signal on the others.
 */
export class PluginManager {
  private readonly packages: Map<string, PluginPackage>;
  private readonly staticProblems: Map<string, Problem[]>;
  private states = new Map<string, PluginState>();
  /** Loaded code (with what the manifest declares filled in). */
  private readonly defs = new Map<string, PluginDef>();
  /** Code that was refused (disagrees with its manifest, does not load). */
  private readonly refused = new Map<string, Problem[]>();
  /** Installs at start that failed (rolled back), shown until the next attempt. */
  private readonly installErrors = new Map<string, string>();
  /** Served although not (yet) installed at their code's version: an install or upgrade under way. */
  private readonly pending = new Set<string>();
  private served: PluginDef[];
  private servedKey = '';
  private reasons = new Map<string, string>();
  private readonly listeners: PluginListener[] = [];
  private host: PluginHost | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly useChecks: EntityUseCheck[] = [];

  private constructor(private readonly options: PluginManagerOptions) {
    this.packages = new Map(options.packages.map((p) => [p.name, p]));
    this.staticProblems = graphProblems(options.packages, options.platformVersion);
    this.served = [options.system];
  }

  /**
   * Read the plugin states and decide what the platform starts with: the enabled plugins,
   * plus (served tentatively, so their schema is created first) plugins to install and
   * to upgrade. `settle` then installs and upgrades them.
   */
  static async load(options: PluginManagerOptions): Promise<PluginManager> {
    const m = new PluginManager(options);
    m.states = await readPluginStates(options.db);
    for (const pkg of options.packages) {
      if (m.problemsOf(pkg.name).length || !pkg.manifest) {
        if (m.states.get(pkg.name)?.enabled || (!m.states.has(pkg.name) && options.autoInstall)) {
          options.log.error({ plugin: pkg.name, problems: m.problemsOf(pkg.name) }, 'plugin cannot be loaded');
        }
        continue;
      }
      const state = m.states.get(pkg.name);
      if (!state) {
        if (options.autoInstall) m.pending.add(pkg.name);
      } else if (state.installed && state.enabled && semver.gt(pkg.manifest.version, state.version)) {
        m.pending.add(pkg.name);
      }
    }
    m.compute();
    return m;
  }

  /** Install and upgrade what `load` planned, in dependency order; a failure stops only that plugin (and what needs it). */
  async settle(host: PluginHost): Promise<void> {
    this.host = host;
    const { db, system } = this.options;
    // The platform's own plugin: recorded, and seeded (base data) once.
    const sys = this.states.get('system');
    await db.transaction(async (tx) => {
      if (!sys) await recordInstalled(tx, 'system', system.version, false);
      else if (sys.version !== system.version) await tx.run('UPDATE plinth_plugins SET version = ? WHERE name = ?', [system.version, 'system']);
      if (!sys?.seededAt) await this.seedOne(tx, system);
    });
    for (const name of dependencyOrder([...this.pending], (n) => this.dependenciesOf(n))) {
      if (!this.served.some((p) => p.name === name)) {
        this.pending.delete(name);
        this.compute();
        continue;
      }
      const def = this.defs.get(name)!;
      const state = this.states.get(name);
      try {
        if (!state) await db.transaction((tx) => this.installOne(tx, def, undefined));
        else {
          const result = await upgradePlugin(db, host.store(), host.admin, def, state.version, this.pluginLog(name));
          if (result.ran.length) this.options.log.info({ plugin: name, from: state.version, to: def.version, migrations: result.ran }, 'plugin upgraded');
        }
      } catch (err) {
        if (err instanceof MigrationError) {
          await recordFailure(db, name, err.message);
          this.options.log.error({ plugin: name, err: err.message }, 'plugin upgrade failed; the plugin is not served');
        } else {
          this.installErrors.set(name, `Installing "${name}" at start failed and was rolled back: ${describeError(err)}`);
          this.options.log.error({ plugin: name, err: (err as Error).message }, 'plugin install failed');
        }
      }
      this.pending.delete(name);
      this.states = await readPluginStates(db);
      this.compute();
    }
    this.states = await readPluginStates(db);
    this.compute();
    await db.transaction((tx) => host.syncAccess(this.served, tx, this.served));
    await this.notify();
    this.options.signals?.on(PLUGINS_TOPIC, () => this.exclusive(() => this.reload()));
  }

  /** The served plugins, the system first, each after what it depends on. */
  enabled(): readonly PluginDef[] {
    return this.served;
  }

  /** Run `fn` after every change of the served set (awaited: the change is complete when it returns). */
  onChange(fn: PluginListener): void {
    this.listeners.push(fn);
  }

  /** The manifests of the served plugins (the system's included), in their order. */
  servedManifests(): { plugin: string; manifest: PluginManifest }[] {
    return this.served.map((p) => ({ plugin: p.name, manifest: p.name === 'system' ? this.options.systemManifest : this.packages.get(p.name)!.manifest! }));
  }

  /** Why `name` is enabled but not served, or null. */
  unavailable(name: string): string | null {
    return this.reasons.get(name) ?? null;
  }

  /** Every plugin's code that has been loaded, served or not (for routing answers about them). */
  loaded(): readonly PluginDef[] {
    return [...this.defs.values()];
  }

  /** Reread the states another node changed. */
  async reload(): Promise<void> {
    this.states = await readPluginStates(this.options.db);
    this.compute();
    await this.notify();
  }

  // ---- what the administration sees ------------------------------------------------

  list(): PluginInfo[] {
    const names = new Set([...this.packages.keys(), ...[...this.states.values()].filter((s) => s.installed).map((s) => s.name)]);
    names.delete('system');
    return [this.info('system'), ...[...names].sort().map((n) => this.info(n))];
  }

  info(name: string): PluginInfo {
    const system = name === 'system';
    const pkg = this.packages.get(name);
    const state = this.states.get(name);
    if (!system && !pkg && !state?.installed) throw new NotFoundError(`No plugin "${name}"`);
    const manifest = system ? this.options.systemManifest : (pkg?.manifest ?? null);
    const problems = system ? [] : this.problemsOf(name);
    const served = this.served.some((p) => p.name === name);
    const installed = system || state?.installed === true;
    let status: PluginStatus;
    if (served) status = 'enabled';
    else if (!pkg && installed) status = 'missing';
    else if (problems.length) status = 'broken';
    else if (!installed) status = 'available';
    else if (!state?.enabled) status = 'disabled';
    else if (state.failure) status = 'failed';
    else status = 'broken';
    return {
      name,
      builtin: system,
      status,
      enabled: system || (installed && state?.enabled === true),
      installed,
      installedVersion: installed ? (state?.version ?? null) : null,
      codeVersion: manifest?.version ?? null,
      label: manifest?.label ?? null,
      description: manifest?.description ?? null,
      dependencies: { ...(manifest?.dependencies ?? {}) },
      dependents: this.installedNames().filter((n) => this.dependenciesOf(n).includes(name)),
      problems,
      failure: state?.failure ? { message: state.failure, at: state.failedAt } : null,
      installError: this.installErrors.get(name) ?? null,
      unavailable: this.reasons.get(name) ?? null,
      manifest,
    };
  }

  /** The checks of a plugin that need none of its code: manifest, platform version, dependencies, and what enabling it would do. */
  check(name: string): { name: string; ok: boolean; problems: Problem[]; plan: PluginPlan | null } {
    const info = this.info(name);
    if (info.builtin) return { name, ok: true, problems: [], plan: { install: [], enable: [], upgrade: [] } };
    try {
      return { name, ok: info.problems.length === 0, problems: info.problems, plan: this.plan(name) };
    } catch (err) {
      const problems = err instanceof ValidationError ? [...err.errors] : [{ field: '(plugin)', rule: 'plan', message: (err as Error).message }];
      return { name, ok: false, problems, plan: null };
    }
  }

  /** Register what may refer to plugins' entities: disabling or uninstalling a plugin is refused while anything does. */
  addUseCheck(check: EntityUseCheck): void {
    this.useChecks.push(check);
  }

  // ---- lifecycle ----------------------------------------------------------------------

  /** Install a plugin (and, first, what it needs), run its seed, enable it. */
  install(name: string): Promise<{ plugin: PluginInfo; plan: PluginPlan }> {
    return this.exclusive(async () => {
      this.requireManaged(name);
      if (this.states.get(name)?.installed) throw new ConflictError('conflict', `Plugin "${name}" is already installed`);
      const plan = this.plan(name);
      await this.apply(plan, name, 'Installing');
      return { plugin: this.info(name), plan };
    });
  }

  /** Enable a plugin, and first what it needs (installing what is not installed); upgrades run when the code is newer. */
  enable(name: string): Promise<{ plugin: PluginInfo; plan: PluginPlan }> {
    return this.exclusive(async () => {
      this.requireManaged(name);
      const state = this.states.get(name);
      if (!state?.installed) throw new ConflictError('conflict', `Plugin "${name}" is not installed; install it (POST /api/v1/plugins/${name}/install)`);
      const plan = this.plan(name);
      if (plan.install.length + plan.enable.length + plan.upgrade.length) await this.apply(plan, name, 'Enabling');
      return { plugin: this.info(name), plan };
    });
  }

  /** Run pending migrations now (after a failed upgrade, once its cause is fixed). */
  upgrade(name: string): Promise<{ plugin: PluginInfo; plan: PluginPlan }> {
    return this.exclusive(async () => {
      this.requireManaged(name);
      const state = this.states.get(name);
      if (!state?.installed || !state.enabled) throw new ConflictError('conflict', `Plugin "${name}" is not enabled; enabling it upgrades it`);
      const plan = this.plan(name);
      if (!plan.upgrade.length) throw new ConflictError('conflict', `Plugin "${name}" is at the version of its code (${state.version}); there is nothing to upgrade`);
      await this.apply(plan, name, 'Upgrading');
      return { plugin: this.info(name), plan };
    });
  }

  /** Switch a plugin off: its routes, menus, permissions and entities go at once; data stays. */
  disable(name: string): Promise<{ plugin: PluginInfo }> {
    return this.exclusive(async () => {
      this.requireManaged(name);
      const state = this.states.get(name);
      if (!state?.installed) throw new ConflictError('conflict', `Plugin "${name}" is not installed`);
      if (!state.enabled) return { plugin: this.info(name) };
      this.refuseIfNeeded(name, 'disable');
      await this.refuseIfReferenced(name, 'disable');
      await recordEnabled(this.options.db, name, false);
      try {
        await this.changed();
      } catch (err) {
        // Nothing may stay half switched off: the plugin is enabled again and served as before.
        await recordEnabled(this.options.db, name, true);
        this.states = await readPluginStates(this.options.db);
        this.compute();
        this.servedKey = '';
        await this.notify().catch((e: Error) => this.options.log.error({ err: e.message }, 'restoring the plugins after a failed disable failed'));
        this.options.log.warn({ plugin: name, err: (err as Error).message }, 'disabling a plugin failed');
        throw new HttpError(422, 'plugin-change-failed', `Disabling "${name}" failed and was undone: ${describeError(err)}`);
      }
      return { plugin: this.info(name) };
    });
  }

  /**
   * Uninstall: the plugin stops being served and its grants are removed; its tables and
   * their data are kept (installing it again brings them back, and does not seed again).
   */
  uninstall(name: string): Promise<{ plugin: PluginInfo; keptTables: string[] }> {
    return this.exclusive(async () => {
      this.requireManaged(name);
      const state = this.states.get(name);
      if (!state?.installed) throw new ConflictError('conflict', `Plugin "${name}" is not installed`);
      this.refuseIfNeeded(name, 'uninstall');
      await this.refuseIfReferenced(name, 'uninstall');
      const keptTables = this.tablesOf(name);
      await this.options.db.transaction(async (tx) => {
        await recordUninstalled(tx, name);
        await tx.run('DELETE FROM plinth_role_grants WHERE source = ?', [name]);
      });
      await this.changed();
      return { plugin: this.info(name), keptTables };
    });
  }

  // ---- internals ------------------------------------------------------------------------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private requireManaged(name: string): void {
    if (name === 'system') throw new ConflictError('conflict', 'The system plugin is part of the platform and cannot be changed');
    if (!this.packages.has(name)) {
      if (this.states.get(name)?.installed) throw new ConflictError('conflict', `The code of plugin "${name}" is not deployed on this node`);
      throw new NotFoundError(`No plugin "${name}"`);
    }
  }

  private problemsOf(name: string): Problem[] {
    return [...(this.staticProblems.get(name) ?? []), ...(this.refused.get(name) ?? [])];
  }

  private dependenciesOf(name: string): string[] {
    if (name === 'system') return [];
    return Object.keys(this.packages.get(name)?.manifest?.dependencies ?? {});
  }

  private installedNames(): string[] {
    return [...this.states.values()].filter((s) => s.installed && s.name !== 'system').map((s) => s.name);
  }

  /** Installed plugins the administrator enabled (served or not). */
  private wantedNames(): string[] {
    return [...this.states.values()].filter((s) => s.installed && s.enabled && s.name !== 'system').map((s) => s.name);
  }

  private refuseIfNeeded(name: string, what: 'disable' | 'uninstall'): void {
    const dependents = this.wantedNames().filter((n) => n !== name && this.dependenciesOf(n).includes(name));
    if (!dependents.length) return;
    throw new ConflictError(
      'in-use',
      `Plugin "${name}" cannot be ${what === 'disable' ? 'disabled' : 'uninstalled'}: enabled plugin(s) ${dependents.join(', ')} need it; disable them first`,
      dependents.map((d) => ({ field: 'dependents', rule: 'in-use', message: `${d} depends on ${name}` })),
    );
  }

  /**
   * Refuse (422 `in-use`, nothing changed) while something outside the plugin refers to
   * its entities: the metadata without them could not be built, and data would dangle.
   */
  private async refuseIfReferenced(name: string, what: 'disable' | 'uninstall'): Promise<void> {
    const def = this.defs.get(name) ?? this.tryLoad(name);
    const entities = new Set(def ? (def.entities ?? []).map((e) => e.name) : (this.packages.get(name)?.manifest?.contributes?.entities ?? []));
    if (!entities.size) return;
    const uses = (await Promise.all(this.useChecks.map((check) => check(entities)))).flat();
    if (!uses.length) return;
    const listed = uses.slice(0, 20).join('; ') + (uses.length > 20 ? `; and ${uses.length - 20} more` : '');
    throw new HttpError(
      422,
      'in-use',
      `Plugin "${name}" cannot be ${what === 'disable' ? 'disabled' : 'uninstalled'}: ${listed} refer${uses.length === 1 ? 's' : ''} to its entities (${[...entities].join(', ')}); change or delete ${uses.length === 1 ? 'it' : 'them'} first`,
      uses.map((use) => ({ field: '(plugin)', rule: 'in-use', message: use })),
    );
  }

  /** What enabling `name` takes: the plugins to install, enable and upgrade, dependencies first. Refuses problems. */
  private plan(name: string): PluginPlan {
    const closure = new Set<string>();
    const problems: Problem[] = [];
    const visit = (n: string) => {
      if (closure.has(n) || n === 'system') return;
      closure.add(n);
      const pkg = this.packages.get(n);
      if (!pkg?.manifest) {
        problems.push({ field: n === name ? '(plugin)' : `dependencies.${n}`, rule: 'missing', message: `Plugin "${n}" is not present` });
        return;
      }
      for (const p of this.problemsOf(n)) problems.push(n === name ? p : { ...p, field: `${n}: ${p.field}` });
      for (const dep of this.dependenciesOf(n)) visit(dep);
    };
    visit(name);
    if (problems.length) throw new ValidationError(problems, `Plugin "${name}" cannot be enabled: ${problems[0].message}`);
    const plan: PluginPlan = { install: [], enable: [], upgrade: [] };
    for (const n of dependencyOrder(closure, (x) => this.dependenciesOf(x))) {
      const state = this.states.get(n);
      const code = this.packages.get(n)!.manifest!.version;
      if (!state?.installed) plan.install.push(n);
      else if (!state.enabled) plan.enable.push(n);
      if (state && state.version !== code) {
        if (semver.lt(code, state.version)) {
          throw new ValidationError([{ field: 'version', rule: 'downgrade', message: `Plugin "${n}" is installed at ${state.version}, newer than its code (${code})` }], `Plugin "${n}" cannot be enabled: its code is older than its data`);
        }
        plan.upgrade.push(n);
      } else if (state?.failure) plan.upgrade.push(n);
    }
    return plan;
  }

  /** Carry out a plan in one transaction (seeds, migrations, grants); on failure nothing stays changed. */
  private async apply(plan: PluginPlan, name: string, verb: string): Promise<void> {
    const host = this.requireHost();
    const names = dependencyOrder(new Set([...plan.install, ...plan.enable, ...plan.upgrade]), (n) => this.dependenciesOf(n));
    for (const n of names) this.loadCode(n, true);
    for (const n of names) this.pending.add(n);
    try {
      this.compute();
      const missing = names.filter((n) => !this.served.some((p) => p.name === n));
      if (missing.length) throw new Error(this.reasons.get(missing[0]) ?? `Plugin "${missing[0]}" cannot be served`);
      // The new set goes live first (metadata, tables, hooks), then the data changes run.
      await host.change(this.served, async (tx) => {
        for (const n of names) {
          const def = this.defs.get(n)!;
          const state = this.states.get(n);
          if (plan.install.includes(n)) await this.installOne(tx, def, state);
          else if (plan.enable.includes(n)) await recordEnabled(tx, n, true);
          if (state && plan.upgrade.includes(n)) await upgradePlugin(tx, host.store(), host.admin, def, state.version, this.pluginLog(n));
        }
        await host.syncAccess(names.map((n) => this.defs.get(n)!), tx, this.served);
      });
    } catch (err) {
      for (const n of names) this.pending.delete(n);
      if (err instanceof MigrationError && this.states.get(err.plugin)?.enabled) await recordFailure(this.options.db, err.plugin, err.message);
      this.states = await readPluginStates(this.options.db);
      this.compute();
      // The tentative set may have gone live: put the previous one back, whatever the key says.
      this.servedKey = '';
      await this.notify().catch((e: Error) => this.options.log.error({ err: e.message }, 'restoring the plugins after a failed change failed'));
      const message = `${verb} "${name}" failed and was rolled back: ${describeError(err)}`;
      this.options.log.warn({ plugin: name, err: (err as Error).message }, 'plugin change failed');
      throw new HttpError(422, 'plugin-change-failed', message, err instanceof PluginError ? err.problems : []);
    }
    for (const n of names) {
      this.pending.delete(n);
      this.installErrors.delete(n);
    }
    await this.changed();
  }

  /** Record an install, seed once, and record the migrations as applied (the seed made the data current). */
  private async installOne(tx: Executor, def: PluginDef, state: PluginState | undefined): Promise<void> {
    await recordInstalled(tx, def.name, def.version, state !== undefined);
    if (!state) await baselineMigrations(tx, def);
    if (!state?.seededAt) await this.seedOne(tx, def);
  }

  private async seedOne(tx: Executor, def: PluginDef): Promise<void> {
    if (!def.seed) return;
    const host = this.requireHost();
    const started = Date.now();
    const data = new ServiceDataContext(host.store(), host.admin, tx);
    await def.seed({
      actor: host.admin,
      records: (e) => data.records(e),
      transaction: (fn) => data.transaction(fn),
      can: (e, a, id) => data.can(e, a, id),
      notifications: data.notifications,
      demo: this.options.demo,
      log: this.pluginLog(def.name),
    });
    await recordSeeded(tx, def.name);
    this.options.log.info({ plugin: def.name, ms: Date.now() - started }, 'plugin seeded');
  }

  private tablesOf(name: string): string[] {
    const def = this.defs.get(name) ?? this.tryLoad(name);
    if (def) return (def.entities ?? []).map((e) => e.table ?? snakeCase(e.plural ?? `${e.name}s`));
    return (this.packages.get(name)?.manifest?.contributes?.entities ?? []).map((e) => snakeCase(`${e}s`));
  }

  private tryLoad(name: string): PluginDef | null {
    try {
      return this.loadCode(name, false);
    } catch {
      return null;
    }
  }

  /** Load (once) and check a plugin's code; a refusal is remembered as problems. */
  private loadCode(name: string, raise: boolean): PluginDef | null {
    const known = this.defs.get(name);
    if (known) return known;
    const pkg = this.packages.get(name);
    if (!pkg || this.refused.has(name)) {
      if (raise) throw new PluginError(`Plugin "${name}" cannot be loaded`, this.problemsOf(name));
      return null;
    }
    try {
      const def = loadPlugin(pkg);
      this.defs.set(name, def);
      return def;
    } catch (err) {
      const problems = err instanceof PluginError && err.problems.length ? [...err.problems] : [{ field: 'code', rule: 'load', message: (err as Error).message }];
      this.refused.set(name, problems);
      this.options.log.error({ plugin: name, err: (err as Error).message }, 'plugin refused');
      if (raise) throw err instanceof PluginError ? err : new PluginError((err as Error).message, problems);
      return null;
    }
  }

  /** Decide the served set and, for enabled plugins left out, why. */
  private compute(): void {
    const wanted = new Set([...this.wantedNames(), ...this.pending]);
    const served: PluginDef[] = [this.options.system];
    const names = new Set(['system']);
    const reasons = new Map<string, string>();
    for (const name of dependencyOrder([...wanted].filter((n) => this.packages.has(n)), (n) => this.dependenciesOf(n))) {
      const why = this.whyNot(name, names);
      if (why) reasons.set(name, why);
      else {
        served.push(this.defs.get(name)!);
        names.add(name);
      }
    }
    for (const name of wanted) if (!this.packages.has(name)) reasons.set(name, `Plugin "${name}" is enabled but its code is not deployed (PLUGINS_DIR)`);
    this.served = served;
    this.reasons = reasons;
  }

  private whyNot(name: string, served: ReadonlySet<string>): string | null {
    const pkg = this.packages.get(name)!;
    const problems = this.problemsOf(name);
    if (problems.length || !pkg.manifest) return `Plugin "${name}" cannot be loaded: ${problems.map((p) => p.message).join('; ')}`;
    const state = this.states.get(name);
    const pending = this.pending.has(name);
    if (state?.failure && !pending) return `Plugin "${name}" is not available: ${state.failure}. Fix the cause, then retry with POST /api/v1/plugins/${name}/upgrade`;
    const code = pkg.manifest.version;
    if (state && state.version !== code && !pending) {
      return semver.gt(code, state.version)
        ? `Plugin "${name}" is installed at ${state.version} and its code here is ${code}; it is served once upgraded`
        : `Plugin "${name}" is installed at ${state.version}, newer than its code here (${code}); deploy that version`;
    }
    for (const dep of this.dependenciesOf(name)) {
      if (!served.has(dep)) return `Plugin "${name}" needs "${dep}", which is ${this.reasons.has(dep) || this.states.get(dep)?.enabled ? 'not available' : 'not enabled'}`;
    }
    if (!this.loadCode(name, false)) return `Plugin "${name}" cannot be loaded: ${this.problemsOf(name).map((p) => p.message).join('; ')}`;
    return null;
  }

  /** Tell the listeners when the served set changed. */
  private async notify(): Promise<void> {
    const key = this.served.map((p) => `${p.name}@${p.version}`).join(',');
    if (key === this.servedKey) return;
    this.servedKey = key;
    for (const fn of this.listeners) await fn(this.served);
  }

  /** After a committed change: reread, apply here, tell the other nodes. */
  private async changed(): Promise<void> {
    this.states = await readPluginStates(this.options.db);
    this.compute();
    await this.notify();
    await this.options.signals?.publish(PLUGINS_TOPIC);
  }

  private requireHost(): PluginHost {
    if (!this.host) throw new Error('The plugin manager has not settled yet');
    return this.host;
  }

  private pluginLog(name: string) {
    return pluginLogger(this.options.log.child({ plugin: name }));
  }
}
