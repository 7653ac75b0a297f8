import { ValidationError, type I18nText } from '@plinth/sdk';

export type Lang = 'zh-CN' | 'en' | 'zh-TW';
export const LANGS: readonly Lang[] = ['zh-CN', 'en', 'zh-TW'];

/** A label in `lang`; zh-TW falls back to zh-CN. */
export const labelOf = (text: I18nText, lang: Lang): string => (lang === 'zh-TW' ? (text['zh-TW'] ?? text['zh-CN']) : text[lang]);

/** Every spelling of a label (for matching a header or an enum label in any language). */
export const allLabels = (text: I18nText): string[] => [text['zh-CN'], text.en, ...(text['zh-TW'] ? [text['zh-TW']] : [])];

function fromTag(tag: string): Lang | null {
  const t = tag.trim().toLowerCase();
  if (t === 'en' || t.startsWith('en-')) return 'en';
  if (t === 'zh-tw' || t === 'zh-hk' || t === 'zh-mo' || t.startsWith('zh-hant')) return 'zh-TW';
  if (t === 'zh' || t.startsWith('zh-')) return 'zh-CN';
  return null;
}

/**
 * The language of a request: `lang` (zh-CN, en, zh-TW) when given, else the first
 * language of Accept-Language we ship, else zh-CN.
 */
export function requestLang(lang: string | undefined, acceptLanguage: string | undefined): Lang {
  if (lang !== undefined) {
    const l = LANGS.find((x) => x.toLowerCase() === lang.toLowerCase());
    if (!l) throw new ValidationError([{ field: 'lang', rule: 'enum', message: `lang must be one of ${LANGS.join(', ')}` }]);
    return l;
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { tag, q: q ? Number(q[1]) : 1, i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    const l = fromTag(tag);
    if (l) return l;
  }
  return 'zh-CN';
}

/** Words for true and false in each language (export writes them; import reads any of them). */
export const BOOLEAN_WORDS: Record<Lang, [string, string]> = { 'zh-CN': ['是', '否'], en: ['Yes', 'No'], 'zh-TW': ['是', '否'] };
