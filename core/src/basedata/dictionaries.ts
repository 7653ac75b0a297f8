import type { I18nText } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { DictionaryLookup } from '../services/validation';
import type { RecordEvent } from '../jobs/events';
import { RecordSnapshot, toBool, toInt, toJson } from './snapshot';
import { localized } from './values';

/** What validation of dictionary-backed enum fields needs (synchronous, from memory). */
export type { DictionaryLookup };

export interface DictionaryInfo {
  id: number;
  code: string;
  label: I18nText;
  description: string | null;
  /** A disabled dictionary is not offered for new fields; its items still validate and label records. */
  enabled: boolean;
}

export interface DictionaryEntry {
  id: number;
  code: string;
  label: I18nText;
  sortOrder: number;
  /** Disabled items are no longer offered (nor valid for writes) but still label stored values. */
  enabled: boolean;
  /** The parent item's code (hierarchical dictionaries). */
  parent: string | null;
  color: string | null;
}

interface DictionaryRow extends DictionaryInfo {
  version: number;
}

interface ItemRow {
  id: number;
  version: number;
  dictionary: number;
  code: string;
  label: I18nText;
  sortOrder: number;
  enabled: boolean;
  parent: number | null;
  color: string | null;
}

interface Compiled {
  info: DictionaryInfo;
  /** All items in order, disabled ones too. */
  all: DictionaryEntry[];
  enabled: DictionaryEntry[];
  values: readonly string[];
  byCode: Map<string, DictionaryEntry>;
}

const byOrder = (a: ItemRow, b: ItemRow) => a.sortOrder - b.sortOrder || a.id - b.id;

/**
 * Every dictionary and its items in memory, for synchronous lookups (enum validation,
 * labels). Loaded at start; every committed write to dictionaries or items is applied as
 * soon as its transaction commits (never a rolled-back one); `reload()` reads everything
 * again (call it when another node reports a change).
 */
export class DictionaryCache implements DictionaryLookup {
  private readonly dictionaryRows: RecordSnapshot<DictionaryRow>;
  private readonly itemRows: RecordSnapshot<ItemRow>;
  private compiled = new Map<string, Compiled>();
  private compiledDictionaries = -1;
  private compiledItems = -1;

  constructor(db: Executor) {
    this.dictionaryRows = new RecordSnapshot(
      async () => (await db.all('SELECT id, version, code, label, description, enabled FROM plinth_dictionaries WHERE deleted_at IS NULL')).map(dictionaryRow),
      dictionaryRow,
    );
    this.itemRows = new RecordSnapshot(
      async () =>
        (await db.all('SELECT id, version, dictionary_id AS dictionary, code, label, sort_order AS sortOrder, enabled, parent_id AS parent, color FROM plinth_dictionary_items WHERE deleted_at IS NULL')).map(itemRow),
      itemRow,
    );
  }

  /** Read everything again. */
  async reload(): Promise<void> {
    await Promise.all([this.dictionaryRows.reload(), this.itemRows.reload()]);
  }

  /** A committed change of a dictionary or an item (the platform's event bus calls this). */
  apply(event: RecordEvent): void {
    if (event.entity === 'dictionary') this.dictionaryRows.apply(event);
    else if (event.entity === 'dictionaryItem') this.itemRows.apply(event);
  }

  values(code: string): readonly string[] | undefined {
    return this.view(code)?.values;
  }

  /** The dictionary's items in order: the enabled ones, or all with `{ all: true }`. */
  items(code: string, options: { all?: boolean } = {}): readonly DictionaryEntry[] | undefined {
    const c = this.view(code);
    return c && (options.all ? c.all : c.enabled);
  }

  /** The label of a stored value in `locale` (disabled items too); undefined when unknown. */
  label(code: string, itemCode: string, locale = 'zh-CN'): string | undefined {
    const item = this.view(code)?.byCode.get(itemCode);
    return item && localized(item.label, locale);
  }

  dictionary(code: string): DictionaryInfo | undefined {
    return this.view(code)?.info;
  }

  /** Codes of every dictionary. */
  codes(): string[] {
    this.compile();
    return [...this.compiled.keys()];
  }

  private view(code: string): Compiled | undefined {
    this.compile();
    return this.compiled.get(code);
  }

  /** Rebuild the per-dictionary views after a change (writes are rare; reads are many). */
  private compile(): void {
    if (this.compiledDictionaries === this.dictionaryRows.generation && this.compiledItems === this.itemRows.generation) return;
    const itemsOf = new Map<number, ItemRow[]>();
    for (const item of this.itemRows.values()) {
      const list = itemsOf.get(item.dictionary);
      if (list) list.push(item);
      else itemsOf.set(item.dictionary, [item]);
    }
    const compiled = new Map<string, Compiled>();
    for (const d of this.dictionaryRows.values()) {
      const rows = (itemsOf.get(d.id) ?? []).sort(byOrder);
      const codeOf = new Map(rows.map((r) => [r.id, r.code]));
      const all = rows.map(
        (r): DictionaryEntry => ({ id: r.id, code: r.code, label: r.label, sortOrder: r.sortOrder, enabled: r.enabled, parent: r.parent === null ? null : (codeOf.get(r.parent) ?? null), color: r.color }),
      );
      const enabled = all.filter((e) => e.enabled);
      compiled.set(d.code, {
        info: { id: d.id, code: d.code, label: d.label, description: d.description, enabled: d.enabled },
        all,
        enabled,
        values: Object.freeze(enabled.map((e) => e.code)),
        byCode: new Map(all.map((e) => [e.code, e])),
      });
    }
    this.compiled = compiled;
    this.compiledDictionaries = this.dictionaryRows.generation;
    this.compiledItems = this.itemRows.generation;
  }
}

function dictionaryRow(r: Record<string, unknown>): DictionaryRow {
  return { id: Number(r.id), version: Number(r.version), code: String(r.code), label: toJson(r.label) as I18nText, description: (r.description as string | null) ?? null, enabled: toBool(r.enabled) };
}

function itemRow(r: Record<string, unknown>): ItemRow {
  return {
    id: Number(r.id),
    version: Number(r.version),
    dictionary: Number(r.dictionary),
    code: String(r.code),
    label: toJson(r.label) as I18nText,
    sortOrder: toInt(r.sortOrder) ?? 0,
    enabled: toBool(r.enabled),
    parent: toInt(r.parent),
    color: (r.color as string | null) ?? null,
  };
}
