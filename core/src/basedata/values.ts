import type { EnumOption, I18nText } from '@plinth/sdk';

/** The value types parameters and category attributes take. */
export type ValueType = 'string' | 'text' | 'integer' | 'number' | 'boolean' | 'date' | 'json' | 'enum';

export interface ValueRule {
  rule: string;
  message: string;
}

const MAX_STRING = 10_000;

function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * Why `value` is not a valid `type` value, or null when it is. `choices` are the allowed
 * codes of an enum (its options, or its dictionary's enabled items). Null values are
 * handled by the caller (not set / required).
 */
export function checkTypedValue(type: ValueType, value: unknown, choices: readonly string[] = []): ValueRule | null {
  switch (type) {
    case 'string':
    case 'text':
      if (typeof value !== 'string') return { rule: 'type', message: `must be a string (type ${type})` };
      if (value.length > MAX_STRING) return { rule: 'maxLength', message: `must be at most ${MAX_STRING} characters` };
      return null;
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? null : { rule: 'type', message: 'must be an integer (type integer)' };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : { rule: 'type', message: 'must be a number (type number)' };
    case 'boolean':
      return typeof value === 'boolean' ? null : { rule: 'type', message: 'must be true or false (type boolean)' };
    case 'date':
      return typeof value === 'string' && isCalendarDate(value) ? null : { rule: 'format', message: 'must be a date YYYY-MM-DD (type date)' };
    case 'json':
      return null;
    case 'enum':
      if (typeof value !== 'string') return { rule: 'type', message: 'must be a string code (type enum)' };
      return choices.includes(value) ? null : { rule: 'enum', message: `must be one of ${choices.length ? choices.join(', ') : '(no choices)'}` };
  }
}

/** A label in `locale`; zh-TW falls back to zh-CN, anything else to English then zh-CN. */
export function localized(label: I18nText, locale: string): string {
  if (locale === 'zh-CN' || locale === 'zh') return label['zh-CN'];
  if (locale === 'zh-TW' || locale === 'zh-HK') return label['zh-TW'] ?? label['zh-CN'];
  if (locale === 'en' || locale.startsWith('en-')) return label.en;
  return label.en ?? label['zh-CN'];
}

export const optionValues = (options: unknown): string[] => (Array.isArray(options) ? (options as EnumOption[]).map((o) => o.value) : []);

/** Options with a value twice, as a message; null when all values are distinct. */
export function duplicateOption(options: unknown): string | null {
  const seen = new Set<string>();
  for (const v of optionValues(options)) {
    if (seen.has(v)) return `option value ${v} appears more than once`;
    seen.add(v);
  }
  return null;
}
