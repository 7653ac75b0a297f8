import { STANDARD_ACTIONS, type Actor, type PluginDef } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { RecordStore } from '../services/records';
import { AUDIT_LOG_RESOURCE } from '../api/audit';

/**
 * Make the roles and grants of `plugins` exist. Grants a plugin declares carry its name
 * as `source` and are replaced as a whole (so upgrades take effect); roles it declares
 * carry it too. Grants an administrator made (no source) are never touched. `all` are
 * the plugins enabled with them: grants may name their entities and custom actions.
 */
export async function syncRolesAndGrants(store: RecordStore, db: Executor, plugins: readonly PluginDef[], system: Actor, all: readonly PluginDef[] = plugins): Promise<void> {
  await db.transaction(async (tx) => {
    const roles = store.service('role', system, tx, true);
    const existing = new Map((await tx.all<{ id: number; code: string }>('SELECT id, code FROM plinth_roles WHERE deleted_at IS NULL')).map((r) => [r.code, Number(r.id)]));
    for (const plugin of plugins) {
      for (const role of plugin.roles ?? []) {
        if (existing.has(role.code)) {
          // Roles made before roles carried their plugin's name.
          await tx.run('UPDATE plinth_roles SET source = ?, version = version + 1 WHERE code = ? AND source IS NULL AND builtin = ?', [plugin.name, role.code, 1]);
          continue;
        }
        const created = await roles.create({ code: role.code, name: role.label['zh-CN'], description: role.description?.['zh-CN'] ?? null, builtin: true, source: plugin.name });
        existing.set(role.code, created.id);
      }
    }
    const everyone = [...new Map([...all, ...plugins].map((p) => [p.name, p])).values()];
    const entities = new Set([...everyone.flatMap((p) => (p.entities ?? []).map((e) => e.name)), ...store.meta.all().map((e) => e.name)]);
    // Standard actions on every entity, plus the custom actions plugins declare.
    const custom = new Set(everyone.flatMap((p) => (p.actions ?? []).map((a) => `${a.entity}:${a.action}`)));
    for (const plugin of plugins) {
      for (const a of plugin.actions ?? []) {
        if (!entities.has(a.entity)) throw new Error(`Plugin "${plugin.name}" declares action "${a.action}" on unknown entity "${a.entity}"`);
      }
    }
    const known = (entity: string, action: string) => (STANDARD_ACTIONS as readonly string[]).includes(action) || custom.has(`${entity}:${action}`);
    const grants = store.service('roleGrant', system, tx);
    for (const plugin of plugins) {
      await tx.run('DELETE FROM plinth_role_grants WHERE source = ?', [plugin.name]);
      const rows = (plugin.grants ?? []).map((g) => {
        const role = existing.get(g.role);
        if (role === undefined) throw new Error(`Plugin "${plugin.name}" grants to unknown role "${g.role}"`);
        if (!entities.has(g.entity) && g.entity !== AUDIT_LOG_RESOURCE) throw new Error(`Plugin "${plugin.name}" grants on unknown entity "${g.entity}"`);
        const unknown = g.actions.filter((a) => !known(g.entity, a));
        if (unknown.length && g.entity !== AUDIT_LOG_RESOURCE) throw new Error(`Plugin "${plugin.name}" grants undeclared action(s) ${unknown.join(', ')} on "${g.entity}" (declare them in "actions")`);
        return { role, entity: g.entity, actions: [...g.actions], scope: g.scope, hiddenFields: g.hiddenFields ? [...g.hiddenFields] : null, readonlyFields: g.readonlyFields ? [...g.readonlyFields] : null, source: plugin.name };
      });
      if (rows.length) await grants.createMany(rows);
    }
  });
}
