import type { I18nText } from '@plinth/sdk';

export const LANGUAGES = ['zh-CN', 'zh-TW', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'zh-CN';

export const isLanguage = (v: unknown): v is Language => typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);

/** The text of a metadata label in `lang`; zh-TW falls back to zh-CN, anything to en. */
export function textIn(label: I18nText | undefined, lang: Language): string {
  if (!label) return '';
  return label[lang] ?? (lang === 'zh-TW' ? label['zh-CN'] : undefined) ?? label.en ?? label['zh-CN'] ?? '';
}

/** A message catalogue: flat keys ("list.new") to text with {placeholders}. */
export type Catalogue = Readonly<Record<string, string>>;

/** Messages in one language, with the fallbacks zh-TW → zh-CN → en. */
export class Messages {
  private readonly subsets = new Map<string, Record<string, string>>();

  constructor(private readonly catalogues: ReadonlyMap<Language, Catalogue>) {}

  text(lang: Language, key: string, vars?: Readonly<Record<string, unknown>>): string {
    const chain: Language[] = lang === 'zh-TW' ? ['zh-TW', 'zh-CN', 'en'] : lang === 'en' ? ['en'] : [lang, 'en'];
    let found: string | undefined;
    for (const l of chain) {
      found = this.catalogues.get(l)?.[key];
      if (found !== undefined) break;
    }
    if (found === undefined) return key;
    return vars ? found.replace(/\{(\w+)\}/g, (m, name: string) => (vars[name] === undefined ? m : String(vars[name]))) : found;
  }

  /** The messages client scripts need (keys starting with one of `prefixes`). */
  subset(lang: Language, prefixes: readonly string[]): Record<string, string> {
    const key = `${lang}|${prefixes.join(',')}`;
    const known = this.subsets.get(key);
    if (known) return known;
    const out: Record<string, string> = {};
    const keys = new Set<string>();
    for (const c of this.catalogues.values()) for (const k of Object.keys(c)) if (prefixes.some((p) => k.startsWith(p))) keys.add(k);
    for (const k of keys) out[k] = this.text(lang, k);
    this.subsets.set(key, out);
    return out;
  }
}
