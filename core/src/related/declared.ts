import type { I18nText, PluginDef, RelatedTabDef } from '@plinth/sdk';
import type { MetaRegistry } from '../meta/registry';
import { PluginError } from '../plugins/discovery';

/** A tab's key: lower camelCase or kebab, as it appears in URLs. */
export const TAB_KEY = /^[a-z][a-zA-Z0-9-]{0,63}$/;
export const DEFAULT_TAB_ORDER = 100;
/** Tabs per entity; each costs one count when a record's tabs are listed. */
export const MAX_TABS_PER_ENTITY = 50;

/** A plugin's related tab, checked against the metadata it was loaded with. */
export interface DeclaredTab {
  key: string;
  entity: string;
  target: string;
  foreignKey: string;
  label: I18nText | null;
  order: number;
  plugin: string;
}

/** Why a target's field cannot link it to `entity`; null when `target.foreignKey` is a reference to `entity`. */
export function foreignKeyProblem(meta: MetaRegistry, entity: string, target: string, foreignKey: string): { field: 'entity' | 'target' | 'foreignKey'; message: string } | null {
  if (!meta.get(entity)) return { field: 'entity', message: `No entity "${entity}"` };
  const t = meta.get(target);
  if (!t) return { field: 'target', message: `No entity "${target}"` };
  const f = t.fields.get(foreignKey);
  if (!f) return { field: 'foreignKey', message: `"${target}" has no field "${foreignKey}"` };
  if (f.def.type !== 'reference' || f.def.entity !== entity) return { field: 'foreignKey', message: `"${target}.${foreignKey}" is not a reference to "${entity}"` };
  return null;
}

/** Every plugin a plugin may build on: itself and its dependencies, transitively. */
function reachable(plugin: PluginDef, byName: ReadonlyMap<string, PluginDef>): Set<string> {
  const out = new Set<string>(['system']);
  const walk = (p: PluginDef) => {
    if (out.has(p.name)) return;
    out.add(p.name);
    for (const dep of p.dependsOn ?? []) {
      const d = byName.get(dep);
      if (d) walk(d);
    }
  };
  walk(plugin);
  return out;
}

/**
 * The related tabs the plugins declare, checked: keys well-formed and unique per entity,
 * entity and target known, the foreign key a reference from target to entity, and both
 * entities the plugin's own or its dependencies' (so the tab cannot outlive what it
 * joins). A bad declaration stops the start with a message naming plugin and tab.
 */
export function declaredTabs(plugins: readonly PluginDef[], meta: MetaRegistry): DeclaredTab[] {
  const byName = new Map(plugins.map((p) => [p.name, p]));
  const out: DeclaredTab[] = [];
  const taken = new Map<string, string>();
  for (const plugin of plugins) {
    if (plugin.related === undefined) continue;
    if (!Array.isArray(plugin.related)) throw new PluginError(`Plugin "${plugin.name}": related must be a list of tabs`);
    const usable = reachable(plugin, byName);
    for (const [i, tab] of (plugin.related as readonly RelatedTabDef[]).entries()) {
      const where = `Plugin "${plugin.name}": related tab ${typeof tab?.key === 'string' ? `"${tab.key}"` : `#${i}`}`;
      if (!tab || typeof tab !== 'object') throw new PluginError(`${where} must be an object`);
      if (typeof tab.key !== 'string' || !TAB_KEY.test(tab.key)) throw new PluginError(`${where}: key must be letters, digits or "-", starting with a lower-case letter`);
      for (const name of ['entity', 'target', 'foreignKey'] as const) {
        if (typeof tab[name] !== 'string' || tab[name] === '') throw new PluginError(`${where}: ${name} is required`);
      }
      if (tab.order !== undefined && (!Number.isInteger(tab.order) || tab.order < 0 || tab.order > 10_000)) throw new PluginError(`${where}: order must be an integer from 0 to 10000`);
      if (tab.label !== undefined && (typeof tab.label?.['zh-CN'] !== 'string' || typeof tab.label?.en !== 'string')) throw new PluginError(`${where}: label needs zh-CN and en`);
      const problem = foreignKeyProblem(meta, tab.entity, tab.target, tab.foreignKey);
      if (problem) throw new PluginError(`${where}: ${problem.message}`);
      for (const name of [tab.entity, tab.target]) {
        const owner = meta.get(name)!.plugin;
        if (!usable.has(owner)) throw new PluginError(`${where}: entity "${name}" belongs to plugin "${owner}", which "${plugin.name}" does not depend on`);
      }
      const id = `${tab.entity}/${tab.key}`;
      const other = taken.get(id);
      if (other) throw new PluginError(`${where}: entity "${tab.entity}" already has a tab "${tab.key}" (plugin "${other}")`);
      taken.set(id, plugin.name);
      out.push({ key: tab.key, entity: tab.entity, target: tab.target, foreignKey: tab.foreignKey, label: tab.label ?? null, order: tab.order ?? DEFAULT_TAB_ORDER, plugin: plugin.name });
    }
  }
  const perEntity = new Map<string, number>();
  for (const t of out) perEntity.set(t.entity, (perEntity.get(t.entity) ?? 0) + 1);
  for (const [entity, n] of perEntity) if (n > MAX_TABS_PER_ENTITY) throw new PluginError(`Entity "${entity}" has ${n} related tabs; at most ${MAX_TABS_PER_ENTITY}`);
  return out;
}
