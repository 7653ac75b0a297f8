import type { Logger, PluginDef } from '@plinth/sdk';
import type { RecordStore } from '../services/records';
import { relatedTabHooks } from './admin-hooks';
import { declaredTabs } from './declared';
import { RelatedTabs } from './tabs';

export { RelatedTabs, type ResolvedTab, type TabSummary } from './tabs';
export { declaredTabs, type DeclaredTab } from './declared';

/**
 * Check the plugins' related tabs (throws PluginError on a bad declaration) and guard the
 * administrators' ones with a hook on `relatedTab`. `store` gives the current record
 * store: tabs resolve against the metadata of the moment.
 */
export function setupRelatedTabs(store: () => RecordStore, plugins: readonly PluginDef[], log: Logger): RelatedTabs {
  const related = new RelatedTabs(store);
  related.useDeclared(declaredTabs(plugins, store().meta));
  store().hooks.add({ plugin: 'related', hooks: { relatedTab: relatedTabHooks(() => store().meta, () => related.declarations()) }, log });
  return related;
}
