import type { FieldModel } from '../meta/model';
import { decimalShape } from '../data/schema';
import { BOOLEAN_WORDS, LANGS, allLabels } from './lang';
import { unescapeFormula } from './cells-out';
import { ID_SUFFIX } from './titles';
import { enumOptions, type DictionaryItems } from './options';
import { calendarDate, excelSerialToWall, wallDate, wallToUtc } from './time';

/** A cell as the readers hand it over, reduced to a plain value. */
export type Cell = string | number | boolean | null;

export interface CellProblem {
  rule: string;
  message: string;
}

/** The result of reading one cell for one field. `lookup`: a reference by title, resolved in batches later. */
export type Parsed = { value: unknown } | { error: CellProblem } | { lookup: string };

/** Compare labels, codes and titles the way a person would: width, case and spacing do not matter. */
export const normalize = (s: string): string => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * Reduce a spreadsheet cell to a plain value. Formulas are never evaluated: their cached
 * result counts, and a formula without one (a file no spreadsheet program has saved) is
 * refused. Rich text becomes its text; error values (#N/A) are refused.
 */
export function plainCell(raw: unknown): { value: Cell } | { error: CellProblem } {
  if (raw === null || raw === undefined) return { value: null };
  if (typeof raw === 'string') {
    const s = unescapeFormula(raw.trim());
    return { value: s === '' ? null : s };
  }
  if (typeof raw === 'number') return Number.isFinite(raw) ? { value: raw } : { error: { rule: 'type', message: 'is not a finite number' } };
  if (typeof raw === 'boolean') return { value: raw };
  if (raw instanceof Date) return { value: raw.getTime() / 86_400_000 + 25569 };
  if (typeof raw === 'object') {
    const o = raw as { formula?: string; sharedFormula?: string; result?: unknown; richText?: { text: string }[]; text?: unknown; error?: string };
    if (o.formula !== undefined || o.sharedFormula !== undefined) {
      if (o.result === undefined || o.result === null) return { error: { rule: 'formula', message: 'is a formula without a computed value; open and save the file in a spreadsheet program, or paste values' } };
      if (typeof o.result === 'object' && o.result !== null && 'error' in o.result) return { error: { rule: 'type', message: `holds the error value ${String((o.result as { error: unknown }).error)}` } };
      return plainCell(o.result);
    }
    if (Array.isArray(o.richText)) return plainCell(o.richText.map((r) => r.text).join(''));
    if (o.error !== undefined) return { error: { rule: 'type', message: `holds the error value ${o.error}` } };
    if (typeof o.text === 'string') return plainCell(o.text);
  }
  return { error: { rule: 'type', message: 'holds a value that cannot be read' } };
}

/** A cell as text (headers, titles, keys). */
export function cellText(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
  return String(value);
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', '是', '对', '√', '✓', ...LANGS.map((l) => normalize(BOOLEAN_WORDS[l][0]))]);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', '否', '错', '×', '✗', ...LANGS.map((l) => normalize(BOOLEAN_WORDS[l][1]))]);

const DATE_TEXT = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/;
const DATETIME_TEXT = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
const ZONED = /(Z|[+-]\d{2}:?\d{2})$/i;

const fail = (rule: string, message: string): Parsed => ({ error: { rule, message } });

/** Float noise from a spreadsheet (0.30000000000000004) rounded to the field's scale. */
function tidy(n: number, scale: number): number {
  const r = Number(n.toFixed(scale));
  return Math.abs(r - n) < 1e-9 * Math.max(1, Math.abs(n)) ? r : n;
}

/**
 * How one field reads a non-empty cell. Enums take their code or their label in any
 * language; references an id or a title (`lookup`, resolved later in batches); dates an
 * Excel date or text such as 2026-01-31, 2026/1/31 or 2026年1月31日; datetimes without a
 * zone are read in `tz`.
 */
export function cellParser(field: FieldModel, referenced: boolean, tz: string, dictionaries: DictionaryItems | null = null): (cell: Exclude<Cell, null>) => Parsed {
  const one = singleParser(field, referenced, tz, dictionaries);
  if (!field.multiple) return one;
  // Several values in one cell: the whole text when it is one valid value, else split on ; 、 , or line breaks.
  // Only a fixed option list can tell that a text with a separator is one value (a label with a comma).
  const checksWhole = enumOptions(field, dictionaries, 'read') !== null;
  return (c) => {
    const whole = one(c);
    if ('value' in whole && (typeof c !== 'string' || checksWhole || !MULTI_SPLIT.test(c))) return { value: [whole.value] };
    const values: unknown[] = [];
    for (const part of cellText(c).split(MULTI_SPLIT).map((x) => x.trim()).filter(Boolean)) {
      const r = one(part);
      if (!('value' in r)) return 'error' in r ? r : fail('type', 'cannot hold a reference by title here');
      if (!values.includes(r.value)) values.push(r.value);
    }
    return { value: values };
  };
}

const MULTI_SPLIT = /[;；、,，\r\n]+/;

function singleParser(field: FieldModel, referenced: boolean, tz: string, dictionaries: DictionaryItems | null): (cell: Exclude<Cell, null>) => Parsed {
  if (referenced) {
    return (c) => {
      if (typeof c === 'number') return Number.isInteger(c) && c > 0 ? { value: c } : fail('reference', 'must be a record id or title');
      const s = cellText(c);
      const id = /^\d{1,10}$/.test(s) ? s : ID_SUFFIX.exec(s)?.[1];
      return id !== undefined ? { value: Number(id) } : { lookup: s };
    };
  }
  const d = field.def;
  switch (d.type) {
    case 'string':
    case 'text':
      return (c) => ({ value: cellText(c) });
    case 'integer':
      return (c) => {
        const n = typeof c === 'number' ? c : typeof c === 'string' && /^[+-]?\d[\d,\s]*$/.test(c) ? Number(c.replace(/[,\s]/g, '')) : NaN;
        return Number.isSafeInteger(n) ? { value: n } : fail('type', 'must be a whole number');
      };
    case 'decimal':
    case 'money': {
      const { scale } = decimalShape(field);
      return (c) => {
        const s = typeof c === 'string' ? c.replace(/[,\s¥￥$]/g, '') : '';
        const n = typeof c === 'number' ? c : /^[+-]?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : NaN;
        return Number.isFinite(n) ? { value: tidy(n, scale) } : fail('type', 'must be a number');
      };
    }
    case 'boolean':
      return (c) => {
        if (typeof c === 'boolean') return { value: c };
        const s = normalize(cellText(c));
        if (TRUE_WORDS.has(s)) return { value: true };
        if (FALSE_WORDS.has(s)) return { value: false };
        return fail('type', 'must be yes or no (是/否, true/false, 1/0)');
      };
    case 'date':
      return (c) => {
        if (typeof c === 'number') return c >= 1 && c < 2_958_466 ? { value: wallDate(excelSerialToWall(Math.floor(c))) } : fail('format', 'must be a date');
        const m = DATE_TEXT.exec(cellText(c));
        const date = m ? calendarDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
        return date ? { value: date } : fail('format', 'must be a date such as 2026-01-31');
      };
    case 'datetime':
      return (c) => {
        if (typeof c === 'number') return c >= 1 && c < 2_958_466 ? { value: new Date(wallToUtc(tz, excelSerialToWall(c))).toISOString() } : fail('format', 'must be a date and time');
        const s = cellText(c);
        if (ZONED.test(s)) {
          const ms = Date.parse(s);
          return Number.isNaN(ms) ? fail('format', 'must be a date and time such as 2026-01-31 09:30') : { value: new Date(ms).toISOString() };
        }
        const m = DATETIME_TEXT.exec(s);
        const date = m ? calendarDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
        const [h, min, sec] = m ? [m[4], m[5], m[6]].map((x) => Number(x ?? 0)) : [];
        if (!m || !date || h > 23 || min > 59 || sec > 59) return fail('format', 'must be a date and time such as 2026-01-31 09:30');
        const wall = Date.parse(`${date}T00:00:00Z`) + ((h * 60 + min) * 60 + sec) * 1000 + Number((m[7] ?? '0').padEnd(3, '0'));
        return { value: new Date(wallToUtc(tz, wall)).toISOString() };
      };
    case 'file':
      // A file id: 17, #17 or 保单.pdf (#17).
      return (c) => {
        const s = cellText(c);
        const id = /^\d{1,10}$/.test(s) ? s : ID_SUFFIX.exec(s)?.[1];
        return id !== undefined && Number(id) > 0 ? { value: Number(id) } : fail('type', 'must be a file id');
      };
    case 'enum': {
      // Without the dictionary's items the text is taken as a code, which the validator checks.
      const options = enumOptions(field, dictionaries, 'read');
      if (!options) return (c) => ({ value: cellText(c) });
      const codes = new Map<string, string>();
      for (const v of options) for (const l of allLabels(v.label)) if (!codes.has(normalize(l))) codes.set(normalize(l), v.value);
      for (const v of options) codes.set(normalize(v.value), v.value);
      const exact = new Set(options.map((v) => v.value));
      const choices = options.slice(0, 20).map((v) => `${v.label['zh-CN']} (${v.value})`).join(', ');
      return (c) => {
        const s = cellText(c);
        const code = exact.has(s) ? s : codes.get(normalize(s));
        return code !== undefined ? { value: code } : fail('enum', `must be one of ${choices}${options.length > 20 ? ', …' : ''}`);
      };
    }
    case 'json':
      return (c) => {
        if (typeof c !== 'string') return { value: c };
        try {
          return { value: JSON.parse(c) };
        } catch {
          return fail('json', 'must be JSON');
        }
      };
    default:
      return () => fail('type', 'cannot be imported');
  }
}
