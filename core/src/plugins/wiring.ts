import type { Actor, Directory, PluginDef } from '@plinth/sdk';
import type { Logger } from '../app/logger';
import { pluginLogger } from '../app/logger';
import type { AccessLoader } from '../access/loader';
import type { RecordStore } from '../services/records';
import { ServiceDataContext } from '../services/context';
import { PluginError } from './discovery';

/**
 * Apply a set of enabled plugins to the parts that do not come from metadata: their
 * record hooks, whose grants and roles count, and the organisation directory (at most
 * one enabled plugin provides it). Call it with every new set.
 */
export function pluginWiring(store: () => RecordStore, access: AccessLoader, admin: Actor, log: Logger): (plugins: readonly PluginDef[]) => void {
  let provider: PluginDef | null = null;
  let directory: Directory | null = null;
  // Writes to the directory's entities change users' places in the organisation.
  const changed = () => {
    directory?.invalidate?.();
    access.invalidate();
  };
  let watchAdded = false;
  return (plugins) => {
    const s = store();
    s.hooks.setPlugins(plugins.filter((p) => p.hooks).map((p) => ({ plugin: p.name, hooks: p.hooks!, log: pluginLogger(log.child({ plugin: p.name })) })));
    access.useSources(new Set(plugins.map((p) => p.name)));
    const providers = plugins.filter((p) => p.directory);
    if (providers.length > 1) throw new PluginError(`Only one plugin may provide the directory; found ${providers.map((p) => p.name).join(', ')}`);
    const next = providers[0] ?? null;
    if (next === provider) return;
    provider = next;
    directory = next ? next.directory!(new ServiceDataContext(s, admin, s.db, true)) : null;
    access.useDirectory(directory);
    if (directory && !watchAdded) {
      const watch = { afterCreate: changed, afterUpdate: changed, afterDelete: changed };
      s.hooks.add({ plugin: 'access', hooks: Object.fromEntries((directory.entities ?? []).map((e) => [e, watch])), log: pluginLogger(log) });
      watchAdded = true;
    }
  };
}
