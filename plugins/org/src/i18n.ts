import type { EnumOption, I18nText } from '@plinth/sdk';

/** A label in simplified Chinese, English and traditional Chinese. */
export function text(zhCN: string, en: string, zhTW?: string): I18nText {
  return zhTW === undefined ? { 'zh-CN': zhCN, en } : { 'zh-CN': zhCN, en, 'zh-TW': zhTW };
}

/** An enum option whose value keeps its literal type, so record types know the allowed values. */
export function option<const V extends string>(value: V, zhCN: string, en: string, zhTW?: string): EnumOption & { value: V } {
  return { value, label: text(zhCN, en, zhTW) };
}
