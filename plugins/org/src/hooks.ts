import { ConflictError, ValidationError, type EntityHooks } from '@plinth/sdk';
import { listAll } from './all';

const ancestorsPath = (parent: { id: number; path?: unknown } | null): string => (parent ? `${String(parent.path ?? '/')}${parent.id}/` : '/');

/**
 * Keep the department tree consistent: `path` follows `parent`, a unit cannot move under
 * itself, a move carries its whole subtree, and only empty units can be deleted.
 * A unit's own `department` (the owning unit for data scopes) is its parent.
 */
export const departmentHooks: EntityHooks = {
  async beforeCreate(data, ctx) {
    const parentId = data.parent as number | null | undefined;
    const parent = parentId ? await ctx.records('department').get(parentId) : null;
    return { ...data, path: ancestorsPath(parent), department: data.department ?? parent?.id ?? null };
  },

  async beforeUpdate({ before, patch }, ctx) {
    if (!('parent' in patch) || patch.parent === before.parent) return;
    const parentId = patch.parent as number | null;
    const parent = parentId ? await ctx.records('department').get(parentId) : null;
    if (parent && (parent.id === before.id || String(parent.path).includes(`/${before.id}/`))) {
      throw new ValidationError([{ field: 'parent', rule: 'cycle', message: 'A department cannot move under itself or one of its sub-units' }]);
    }
    return { ...patch, path: ancestorsPath(parent), department: parent?.id ?? null };
  },

  async afterUpdate({ before, after }, ctx) {
    if (before.path === after.path) return;
    const oldPrefix = `${String(before.path)}${before.id}/`;
    const newPrefix = `${String(after.path)}${after.id}/`;
    const departments = ctx.records('department');
    for (const d of await listAll(departments, { filter: { path: { startsWith: oldPrefix } }, fields: ['path', 'version'] })) {
      await departments.update(d.id, { path: newPrefix + String(d.path).slice(oldPrefix.length) }, { version: d.version });
    }
  },

  async beforeDelete(record, ctx) {
    const children = await ctx.records('department').count({ filter: { parent: record.id } });
    const members = await ctx.records('user').count({ filter: { department: record.id } });
    if (children || members) {
      throw new ConflictError('in-use', `Department "${String(record.name)}" still has ${children} sub-unit(s) and ${members} member(s); move or remove them first`);
    }
  },
};
