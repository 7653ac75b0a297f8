import { ValidationError, type EntityHooks, type FieldError, type HookContext } from '@plinth/sdk';
import type { MetaRegistry } from '../meta/registry';
import { foreignKeyProblem, MAX_TABS_PER_ENTITY, type DeclaredTab } from './declared';

/**
 * Checks an administrator's related tab against the metadata as it is now (custom fields
 * included): a new tab needs a target entity whose foreign key references the tab's
 * entity; an overlay on a plugin's tab may not change what the tab lists.
 */
export function relatedTabHooks(meta: () => MetaRegistry, declared: () => readonly DeclaredTab[]): EntityHooks {
  const check = async (row: Record<string, unknown>, ctx: HookContext, id: number | null): Promise<void> => {
    const entity = row.entity as string;
    const key = row.key as string;
    const target = (row.target ?? null) as string | null;
    const foreignKey = (row.foreignKey ?? null) as string | null;
    const errors: FieldError[] = [];
    const registry = meta();
    if (!registry.get(entity)) throw new ValidationError([{ field: 'entity', rule: 'reference', message: `No entity "${entity}"` }]);
    const plugin = declared().find((t) => t.entity === entity && t.key === key);
    if (plugin) {
      // An overlay: what the tab lists stays the plugin's, so upgrades keep working.
      if (target !== null && target !== plugin.target) errors.push({ field: 'target', rule: 'overlay', message: `Tab "${key}" of plugin "${plugin.plugin}" lists "${plugin.target}"; an overlay may change label, order and hidden only` });
      if (foreignKey !== null && foreignKey !== plugin.foreignKey) errors.push({ field: 'foreignKey', rule: 'overlay', message: `Tab "${key}" of plugin "${plugin.plugin}" uses "${plugin.foreignKey}"; an overlay may change label, order and hidden only` });
    } else {
      if (target === null) errors.push({ field: 'target', rule: 'required', message: 'target is required for a new tab' });
      if (foreignKey === null) errors.push({ field: 'foreignKey', rule: 'required', message: 'foreignKey is required for a new tab' });
      if (target !== null && foreignKey !== null) {
        const problem = foreignKeyProblem(registry, entity, target, foreignKey);
        if (problem) errors.push({ field: problem.field, rule: 'reference', message: problem.message });
      }
    }
    if (errors.length) throw new ValidationError(errors);
    if (plugin || id !== null) return;
    const own = await ctx.records('relatedTab').count({ filter: { entity, target: { null: false } } });
    const plugins = declared().filter((t) => t.entity === entity).length;
    if (own + plugins >= MAX_TABS_PER_ENTITY) {
      throw new ValidationError([{ field: 'key', rule: 'maxItems', message: `"${entity}" already has ${own + plugins} related tabs; at most ${MAX_TABS_PER_ENTITY}` }]);
    }
  };
  return {
    beforeCreate: (data, ctx) => check(data, ctx, null),
    beforeUpdate: ({ before, patch }, ctx) => check({ ...before, ...patch }, ctx, before.id),
  };
}
