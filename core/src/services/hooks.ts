import { ValidationError, type Actor, type AnyRecord, type EntityHooks, type HookContext, type Logger } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { RecordStore } from './records';
import { ServiceDataContext } from './context';

export interface PluginHooks {
  plugin: string;
  hooks: Readonly<Record<string, EntityHooks>>;
  log: Logger;
}

/**
 * Runs the plugins' record hooks inside the write's transaction, in plugin order. Hooks
 * are trusted plugin code: the data context they get acts as the system (no permission
 * checks) within the same transaction; `ctx.actor` still tells who made the change.
 */
export class HookRunner {
  private byEntity = new Map<string, { plugin: string; hooks: EntityHooks; log: Logger }[]>();
  private readonly everyEntity: { plugin: string; hooks: (entity: string) => EntityHooks; log: Logger }[] = [];
  private readonly resolved = new Map<string, readonly { plugin: string; hooks: EntityHooks; log: Logger }[]>();
  /** Hooks of the enabled plugins, in plugin order; they run before the platform's own. */
  private plugins: readonly PluginHooks[] = [];
  /** The platform's own hooks (access cache), added once. */
  private readonly extras: PluginHooks[] = [];

  constructor(
    private readonly store: RecordStore,
    plugins: readonly PluginHooks[],
  ) {
    this.setPlugins(plugins);
  }

  add(p: PluginHooks): void {
    this.extras.push(p);
    this.index();
  }

  /** Replace the plugins' hooks (a plugin was enabled or disabled). */
  setPlugins(plugins: readonly PluginHooks[]): void {
    this.plugins = [...plugins];
    this.index();
  }

  private index(): void {
    const byEntity = new Map<string, { plugin: string; hooks: EntityHooks; log: Logger }[]>();
    for (const p of [...this.plugins, ...this.extras]) {
      for (const [entity, hooks] of Object.entries(p.hooks)) byEntity.set(entity, [...(byEntity.get(entity) ?? []), { plugin: p.plugin, hooks, log: p.log }]);
    }
    this.byEntity = byEntity;
    this.resolved.clear();
  }

  /** Hooks for every entity, present and future (entities added at runtime included), made per entity on first use. */
  addForEveryEntity(p: { plugin: string; hooks: (entity: string) => EntityHooks; log: Logger }): void {
    this.everyEntity.push(p);
    this.resolved.clear();
  }

  private hooksOf(entity: string): readonly { plugin: string; hooks: EntityHooks; log: Logger }[] {
    let list = this.resolved.get(entity);
    if (!list) {
      list = [...(this.byEntity.get(entity) ?? []), ...this.everyEntity.map((p) => ({ plugin: p.plugin, hooks: p.hooks(entity), log: p.log }))];
      this.resolved.set(entity, list);
    }
    return list;
  }

  private context(entity: string, db: Executor, actor: Actor, log: Logger): HookContext {
    const system = new ServiceDataContext(this.store, { userId: actor.userId, username: actor.username, isAdmin: true, origin: actor.origin }, db, true);
    const asCaller = new ServiceDataContext(this.store, actor, db);
    return { entity, actor, log, asCaller, records: (e) => system.records(e), transaction: (fn) => system.transaction(fn), can: (e, a, id) => asCaller.can(e, a, id), notifications: system.notifications };
  }

  async beforeCreate(entity: string, data: Record<string, unknown>, db: Executor, actor: Actor, at: string): Promise<Record<string, unknown>> {
    let current = data;
    for (const h of this.hooksOf(entity)) {
      if (!h.hooks.beforeCreate) continue;
      const replaced = await placed(at, () => h.hooks.beforeCreate!(current, this.context(entity, db, actor, h.log)));
      if (replaced) current = this.revalidate(entity, 'create', replaced, at);
    }
    return current;
  }

  async afterCreate(entity: string, record: AnyRecord, db: Executor, actor: Actor): Promise<void> {
    for (const h of this.hooksOf(entity)) if (h.hooks.afterCreate) await h.hooks.afterCreate(record, this.context(entity, db, actor, h.log));
  }

  async beforeUpdate(entity: string, before: AnyRecord, patch: Record<string, unknown>, db: Executor, actor: Actor, at: string): Promise<Record<string, unknown>> {
    let current = patch;
    for (const h of this.hooksOf(entity)) {
      if (!h.hooks.beforeUpdate) continue;
      const replaced = await placed(at, () => h.hooks.beforeUpdate!({ before, patch: current }, this.context(entity, db, actor, h.log)));
      if (replaced) current = this.revalidate(entity, 'update', replaced, at);
    }
    return current;
  }

  async afterUpdate(entity: string, before: AnyRecord, after: AnyRecord, db: Executor, actor: Actor): Promise<void> {
    for (const h of this.hooksOf(entity)) if (h.hooks.afterUpdate) await h.hooks.afterUpdate({ before, after }, this.context(entity, db, actor, h.log));
  }

  async beforeDelete(entity: string, record: AnyRecord, db: Executor, actor: Actor): Promise<void> {
    for (const h of this.hooksOf(entity)) if (h.hooks.beforeDelete) await h.hooks.beforeDelete(record, this.context(entity, db, actor, h.log));
  }

  async afterDelete(entity: string, record: AnyRecord, db: Executor, actor: Actor): Promise<void> {
    for (const h of this.hooksOf(entity)) if (h.hooks.afterDelete) await h.hooks.afterDelete(record, this.context(entity, db, actor, h.log));
  }

  /** Data a hook hands back is checked like a client's: hooks cannot write invalid records. */
  private revalidate(entity: string, mode: 'create' | 'update', data: Record<string, unknown>, at: string): Record<string, unknown> {
    const errors = this.store.validator(entity).check(mode, data, at, true);
    if (errors.length) throw new HookOutputError(entity, errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    return data;
  }
}

/** A before-hook's field errors, placed under the record's place in a bulk write (`create[3].name`). */
async function placed<T>(at: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!at || !(err instanceof ValidationError)) throw err;
    throw new ValidationError(err.errors.length ? err.errors.map((e) => ({ ...e, field: `${at}.${e.field}` })) : [{ field: at, rule: 'invalid', message: err.message }], err.message);
  }
}

/** A hook returned data that breaks the entity's rules: a plugin bug, reported as such. */
export class HookOutputError extends Error {
  constructor(entity: string, detail: string) {
    super(`A ${entity} hook produced invalid data: ${detail}`);
    this.name = 'HookOutputError';
  }
}
