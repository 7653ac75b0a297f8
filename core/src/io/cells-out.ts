import type { FieldModel } from '../meta/model';
import { BOOLEAN_WORDS, labelOf, type Lang } from './lang';
import { utcToWall, wallDate, wallDateTime } from './time';
import { enumOptions, type DictionaryItems } from './options';

/** A value as a spreadsheet cell: text, number, or a date (its wall-clock reading carried as UTC). */
export type CellValue = string | number | Date | null;

export interface ExportColumn {
  field: FieldModel;
  header: string;
  /** Excel number format of the column's cells. */
  numFmt?: string;
  /** Column width in characters. */
  width: number;
  /** The cell of a record's value; `titles` are the referenced records' titles by id. */
  cell(value: unknown, titles: ReadonlyMap<number, string> | undefined): CellValue;
}

export interface ExportOptions {
  lang: Lang;
  /** Time zone in which datetimes are written (spreadsheets have no zone). */
  tz: string;
  /** References as the referenced record's title (default) or its id. */
  refs: 'title' | 'id';
}

const MONEY_FORMAT = '#,##0.00';
const DATE_FORMAT = 'yyyy-mm-dd';
const DATETIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';

/** Values of a multi-valued field share one cell, separated so that an import splits them again. */
export const MULTI_SEPARATOR = '; ';

/** How one field's values become cells. Compiled once per export. */
export function exportColumn(field: FieldModel, header: string, referenced: boolean, o: ExportOptions, dictionaries: DictionaryItems | null = null): ExportColumn {
  const column = singleColumn(field, header, referenced, o, dictionaries);
  if (!field.multiple) return column;
  const one = column.cell;
  return {
    ...column,
    numFmt: undefined,
    width: 30,
    cell: (v, titles) => (Array.isArray(v) ? v.map((x) => one(x, titles)).filter((c) => c !== null).map(String).join(MULTI_SEPARATOR) : null),
  };
}

function singleColumn(field: FieldModel, header: string, referenced: boolean, o: ExportOptions, dictionaries: DictionaryItems | null): ExportColumn {
  const base = { field, header, width: Math.min(40, Math.max(10, header.length * 2 + 2)) };
  if (referenced) {
    if (o.refs === 'id') return { ...base, cell: (v) => (typeof v === 'number' ? v : null) };
    // A record the caller cannot read (or without a title) is written as its id: import reads ids too.
    return { ...base, width: 20, cell: (v, titles) => (typeof v === 'number' ? (titles?.get(v) ?? v) : null) };
  }
  const d = field.def;
  switch (d.type) {
    case 'money':
      return { ...base, numFmt: MONEY_FORMAT, width: 16, cell: (v) => (typeof v === 'number' ? v : null) };
    case 'decimal':
    case 'integer':
    case 'file':
      return { ...base, cell: (v) => (typeof v === 'number' ? v : null) };
    case 'boolean': {
      const [yes, no] = BOOLEAN_WORDS[o.lang];
      return { ...base, cell: (v) => (v === true ? yes : v === false ? no : null) };
    }
    case 'date':
      return { ...base, numFmt: DATE_FORMAT, width: 12, cell: (v) => (typeof v === 'string' ? new Date(`${v}T00:00:00Z`) : null) };
    case 'datetime':
      return { ...base, numFmt: DATETIME_FORMAT, width: 20, cell: (v) => (typeof v === 'string' ? new Date(utcToWall(o.tz, Date.parse(v))) : null) };
    case 'enum': {
      // A value without a known label (an unknown dictionary) is written as its code; the import reads codes too.
      const labels = new Map((enumOptions(field, dictionaries, 'label') ?? []).map((x) => [x.value, labelOf(x.label, o.lang)]));
      return { ...base, cell: (v) => (typeof v === 'string' ? (labels.get(v) ?? v) : null) };
    }
    case 'json':
      return { ...base, width: 30, cell: (v) => (v === null || v === undefined ? null : JSON.stringify(v)) };
    default:
      return { ...base, width: d.type === 'text' ? 40 : base.width, cell: (v) => (v === null || v === undefined ? null : String(v)) };
  }
}

/**
 * Text a spreadsheet program would read as a formula (or as a DDE/command payload): OWASP's
 * list of leading characters. Exported CSV text cells starting with one get a leading
 * apostrophe, which the import strips again.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export const escapeFormula = (s: string): string => (FORMULA_START.test(s) ? `'${s}` : s);
export const unescapeFormula = (s: string): string => (s.length > 1 && s[0] === "'" && FORMULA_START.test(s.slice(1)) ? s.slice(1) : s);

/** A cell as CSV text: dates in ISO form (wall clock), numbers as they are, text escaped against formulas. */
export function csvText(cell: CellValue, field: FieldModel): string {
  if (cell === null) return '';
  if (cell instanceof Date) return field.type === 'datetime' ? wallDateTime(cell.getTime()) : wallDate(cell.getTime());
  if (typeof cell === 'number') return String(cell);
  return escapeFormula(cell);
}
