import type { Actor, AnyRecord, EntityHooks, HookContext, Logger } from '@plinth/sdk';
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
  private readonly byEntity = new Map<string, { plugin: string; hooks: EntityHooks; log: Logger }[]>();

  constructor(
    private readonly store: RecordStore,
    plugins: readonly PluginHooks[],
  ) {
    for (const p of plugins) this.add(p);
  }

  add(p: PluginHooks): void {
    for (const [entity, hooks] of Object.entries(p.hooks)) {
      this.byEntity.set(entity, [...(this.byEntity.get(entity) ?? []), { plugin: p.plugin, hooks, log: p.log }]);
    }
  }

  private context(entity: string, db: Executor, actor: Actor, log: Logger): HookContext {
    const system = new ServiceDataContext(this.store, { userId: actor.userId, username: actor.username, isAdmin: true, origin: actor.origin }, db, true);
    const asCaller = new ServiceDataContext(this.store, actor, db);
    return { entity, actor, log, asCaller, records: (e) => system.records(e), transaction: (fn) => system.transaction(fn), can: (e, a, id) => asCaller.can(e, a, id) };
  }

  async beforeCreate(entity: string, data: Record<string, unknown>, db: Executor, actor: Actor, at: string): Promise<Record<string, unknown>> {
    let current = data;
    for (const h of this.byEntity.get(entity) ?? []) {
      if (!h.hooks.beforeCreate) continue;
      const replaced = await h.hooks.beforeCreate(current, this.context(entity, db, actor, h.log));
      if (replaced) current = this.revalidate(entity, 'create', replaced, at);
    }
    return current;
  }

  async afterCreate(entity: string, record: AnyRecord, db: Executor, actor: Actor): Promise<void> {
    for (const h of this.byEntity.get(entity) ?? []) if (h.hooks.afterCreate) await h.hooks.afterCreate(record, this.context(entity, db, actor, h.log));
  }

  async beforeUpdate(entity: string, before: AnyRecord, patch: Record<string, unknown>, db: Executor, actor: Actor, at: string): Promise<Record<string, unknown>> {
    let current = patch;
    for (const h of this.byEntity.get(entity) ?? []) {
      if (!h.hooks.beforeUpdate) continue;
      const replaced = await h.hooks.beforeUpdate({ before, patch: current }, this.context(entity, db, actor, h.log));
      if (replaced) current = this.revalidate(entity, 'update', replaced, at);
    }
    return current;
  }

  async afterUpdate(entity: string, before: AnyRecord, after: AnyRecord, db: Executor, actor: Actor): Promise<void> {
    for (const h of this.byEntity.get(entity) ?? []) if (h.hooks.afterUpdate) await h.hooks.afterUpdate({ before, after }, this.context(entity, db, actor, h.log));
  }

  async beforeDelete(entity: string, record: AnyRecord, db: Executor, actor: Actor): Promise<void> {
    for (const h of this.byEntity.get(entity) ?? []) if (h.hooks.beforeDelete) await h.hooks.beforeDelete(record, this.context(entity, db, actor, h.log));
  }

  async afterDelete(entity: string, record: AnyRecord, db: Executor, actor: Actor): Promise<void> {
    for (const h of this.byEntity.get(entity) ?? []) if (h.hooks.afterDelete) await h.hooks.afterDelete(record, this.context(entity, db, actor, h.log));
  }

  /** Data a hook hands back is checked like a client's: hooks cannot write invalid records. */
  private revalidate(entity: string, mode: 'create' | 'update', data: Record<string, unknown>, at: string): Record<string, unknown> {
    const errors = this.store.validator(entity).check(mode, data, at, true);
    if (errors.length) throw new HookOutputError(entity, errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    return data;
  }
}

/** A hook returned data that breaks the entity's rules: a plugin bug, reported as such. */
export class HookOutputError extends Error {
  constructor(entity: string, detail: string) {
    super(`A ${entity} hook produced invalid data: ${detail}`);
    this.name = 'HookOutputError';
  }
}
