/**
 * Stored hook scripts as the kernel's EntityHooks: register the result for every entity
 * (`store.hooks.add({ plugin: 'scripts', hooks, log })`) and enabled scripts with kind
 * `hook` and target `<entity>:<event>` run inside the record write's transaction.
 *
 * - before-hooks get `{ event, entity, record, previous?, changes? }` and may return
 *   `{ set: { … } }` to change fields of the record being written;
 * - `ctx.fail(message)` (ScriptRejection, a 400 ValidationError) or any other failure
 *   cancels the write: the transaction rolls back;
 * - scripts run in name order; each sees the record as the previous one left it.
 */
import type { AnyRecord, DataContext, EntityHooks, FieldError, HookContext } from '@plinth/sdk';
import type { HookInput } from '@plinth/sdk';
import type { ScriptRuntime } from './runtime';
import type { ComputedField, RecordScripts, RecordWrite } from './record-checks';

export interface ScriptHookOptions {
  /**
   * The data context scripts act with, from the hook's context. The kernel's hook context
   * acts as the system; scripts must act as the calling user (permissions apply), in the
   * same transaction: e.g. `(ctx) => new ServiceDataContext(store, ctx.actor, <the write's executor>)`.
   */
  dataFor(ctx: HookContext): DataContext;
}

type Event = HookInput['event'];

const isSet = (v: unknown): v is { set: Record<string, unknown> } =>
  typeof v === 'object' && v !== null && typeof (v as { set?: unknown }).set === 'object' && (v as { set?: unknown }).set !== null && !Array.isArray((v as { set?: unknown }).set);

/** EntityHooks that run the stored hook scripts of `entity`. */
export function scriptEntityHooks(runtime: ScriptRuntime, entity: string, options: ScriptHookOptions): EntityHooks {
  const run = async (event: Event, input: Omit<HookInput, 'event' | 'entity'>, ctx: HookContext): Promise<Record<string, unknown> | null> => {
    const scripts = await runtime.find('hook', `${entity}:${event}`);
    if (!scripts.length) return null;
    const data = options.dataFor(ctx);
    let set: Record<string, unknown> | null = null;
    let record = input.record;
    for (const script of scripts) {
      const r = await runtime.runScript(script, { event, entity, ...input, record }, { data, trigger: `hook:${entity}:${event}` });
      if (event.startsWith('before') && isSet(r.value)) {
        set = { ...(set ?? {}), ...r.value.set };
        record = { ...record, ...r.value.set };
      }
    }
    return set;
  };

  return {
    async beforeCreate(data, ctx) {
      const set = await run('beforeCreate', { record: data }, ctx);
      return set ? { ...data, ...set } : undefined;
    },
    async afterCreate(record, ctx) {
      await run('afterCreate', { record }, ctx);
    },
    async beforeUpdate({ before, patch }, ctx) {
      const set = await run('beforeUpdate', { record: { ...before, ...patch }, previous: before as HookInput['previous'], changes: patch }, ctx);
      return set ? { ...patch, ...set } : undefined;
    },
    async afterUpdate({ before, after }, ctx) {
      await run('afterUpdate', { record: after, previous: before as HookInput['previous'] }, ctx);
    },
    async beforeDelete(record: AnyRecord, ctx) {
      await run('beforeDelete', { record, previous: record as HookInput['previous'] }, ctx);
    },
    async afterDelete(record: AnyRecord, ctx) {
      await run('afterDelete', { record, previous: record as HookInput['previous'] }, ctx);
    },
  };
}

export interface RecordCheckHookOptions extends ScriptHookOptions {
  /** Fields of the entity a script computes (`computedBy`), in field order. */
  computedFields(entity: string): readonly ComputedField[];
  /** Errors of a value for a field of the entity (its type and rules); empty when it fits. */
  valueErrors(entity: string, field: string, value: unknown): FieldError[];
}

/**
 * EntityHooks that compute the entity's script-computed fields and run its validation
 * scripts before every create and update (RecordScripts). Register them after the hook
 * scripts: validations see the record as the before-hooks left it.
 */
export function scriptRecordChecks(checks: RecordScripts, entity: string, options: RecordCheckHookOptions): EntityHooks {
  const check = async (write: RecordWrite, ctx: HookContext): Promise<Record<string, unknown> | null> => {
    const computed = options.computedFields(entity);
    if (!(await checks.any(entity, computed))) return null;
    const data = options.dataFor(ctx);
    const set = await checks.compute(write, computed, data, (field, value) => options.valueErrors(entity, field, value));
    const record = { ...write.record, ...set };
    await checks.validate({ ...write, record, ...(write.changes ? { changes: { ...write.changes, ...set } } : {}) }, data);
    return Object.keys(set).length ? set : null;
  };
  return {
    async beforeCreate(data, ctx) {
      const set = await check({ target: entity, operation: 'create', record: data }, ctx);
      return set ? { ...data, ...set } : undefined;
    },
    async beforeUpdate({ before, patch }, ctx) {
      const set = await check({ target: entity, operation: 'update', record: { ...before, ...patch }, previous: before, changes: patch }, ctx);
      return set ? { ...patch, ...set } : undefined;
    },
  };
}
