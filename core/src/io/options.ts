import type { EnumOption, I18nText } from '@plinth/sdk';
import type { FieldModel } from '../meta/model';

/** The dictionaries' items, from the platform's in-memory cache (core/src/basedata). */
export interface DictionaryItems {
  items(code: string, options?: { all?: boolean }): readonly { code: string; label: I18nText }[] | undefined;
}

/**
 * The options of an enum field: its fixed list, or the items of its dictionary — all of
 * them to label stored values (disabled items included), the enabled ones to read new
 * values. Null when they are not known (no dictionary cache).
 */
export function enumOptions(field: FieldModel, dictionaries: DictionaryItems | null, use: 'label' | 'read'): readonly EnumOption[] | null {
  const d = field.def;
  if (d.type !== 'enum') return null;
  if (d.values) return d.values;
  if (!d.dictionary || !dictionaries) return null;
  return (dictionaries.items(d.dictionary, { all: use === 'label' }) ?? []).map((item) => ({ value: item.code, label: item.label }));
}
