import type { Logger } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { Keyring } from '../crypto/keyring';
import type { RecordStore } from '../services/records';
import type { Signals } from '../cluster/signals';
import { DictionaryCache } from './dictionaries';
import { ParameterCache, parameterHooks } from './parameters';
import { CategoryService, categoryAttributeHooks, categoryHooks } from './categories';
import { DictionaryUsage } from './usage';
import { dictionaryHooks, registerBuiltInUses } from './dictionary-hooks';
import { baseDataScriptServices } from './scripts';

export { DictionaryCache, type DictionaryLookup, type DictionaryEntry, type DictionaryInfo } from './dictionaries';
export { ParameterCache, type ParameterEntry } from './parameters';
export { CategoryService, type EffectiveAttribute, type CategoryNode } from './categories';
export { DictionaryUsage, type DictionaryRef, type DictionaryUseCheck } from './usage';

const ENTITIES = new Set(['dictionary', 'dictionaryItem', 'parameter']);
/** The cluster signal that tells the other nodes to reload dictionaries and parameters. */
export const BASEDATA_SIGNAL = 'basedata';

/**
 * Base data services (字典, 分类, 参数): the in-memory dictionary and parameter caches, category
 * trees, and the rules their records follow. One per platform.
 */
export class BaseData {
  readonly dictionaries: DictionaryCache;
  readonly parameters: ParameterCache;
  readonly categories: CategoryService;
  /** What refers to dictionaries by code; deleting or renaming something in use is refused. */
  readonly usage = new DictionaryUsage();
  readonly scriptServices = baseDataScriptServices;
  private publishing: Promise<void> | null = null;

  constructor(db: Executor, keyring: Keyring) {
    this.dictionaries = new DictionaryCache(db);
    this.parameters = new ParameterCache(db, (stored) => keyring.decrypt(stored));
    this.categories = new CategoryService(this.dictionaries);
    registerBuiltInUses(this.usage);
  }

  /**
   * Install the records' rules on the store and keep the caches current: this node's
   * committed writes are applied at once and announced to the other nodes, which reload.
   */
  attach(store: RecordStore, log: Logger, signals: Signals | null = null): void {
    store.hooks.add({ plugin: 'basedata', log, hooks: { ...dictionaryHooks(this.usage), category: categoryHooks, categoryAttribute: categoryAttributeHooks, parameter: parameterHooks } });
    store.events.subscribe((e) => {
      if (!ENTITIES.has(e.entity)) return;
      this.dictionaries.apply(e);
      this.parameters.apply(e);
      if (signals) return this.announce(signals, log);
    });
    signals?.on(BASEDATA_SIGNAL, () => this.reload());
  }

  /** One signal for the writes of one transaction (their events arrive together). */
  private announce(signals: Signals, log: Logger): Promise<void> {
    this.publishing ??= new Promise((resolve) => setImmediate(resolve)).then(async () => {
      this.publishing = null;
      await signals.publish(BASEDATA_SIGNAL).catch((err: Error) => log.warn('could not tell the other nodes of a base-data change', { err: err.message }));
    });
    return this.publishing;
  }

  /** Read the caches again (at start, and when another node reports a change). */
  async reload(): Promise<void> {
    await Promise.all([this.dictionaries.reload(), this.parameters.reload()]);
  }
}
