import type { FieldModel } from '../meta/model';
import type { Row } from './database';
import { generate, propertyKey } from './generated';

/** `2026-01-02T03:04:05.678Z` → `2026-01-02 03:04:05.678` (UTC, sortable, both databases). */
export function toDbDateTime(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
}

export function fromDbDateTime(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const s = String(value);
  if (s.includes('T')) return new Date(s).toISOString();
  // `2026-01-02 03:04:05`, `….678`, or `….678000` (MySQL renders six digits inside JSON): milliseconds.
  const [date, time] = s.split(' ');
  const [hms, fraction = ''] = time.split('.');
  return `${date}T${hms}.${(fraction + '000').slice(0, 3)}Z`;
}

export function nowDb(): string {
  return toDbDateTime(new Date().toISOString());
}

/** Database value → API value for one field. Decimals come back as strings that differ by driver. */
export function decode(field: FieldModel, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const convert = valueDecoder(field);
  return convert ? convert(value) : value;
}

const parseJson = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
const toNumber = (v: unknown): unknown => (typeof v === 'number' ? v : Number(v));
const toBoolean = (v: unknown): boolean => v === 1 || v === true || v === '1';

/** The conversion of one field's non-null database values; null when they pass through unchanged. */
function valueDecoder(field: FieldModel): ((v: unknown) => unknown) | null {
  if (field.multiple) return parseJson;
  switch (field.type) {
    case 'boolean':
      return toBoolean;
    case 'decimal':
    case 'money':
    case 'integer':
    case 'reference':
    case 'file':
      return toNumber;
    case 'datetime':
      return fromDbDateTime;
    case 'json':
      return parseJson;
    default:
      return null;
  }
}

/** API value (already validated) → database parameter. */
export function encode(field: FieldModel, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.multiple) return JSON.stringify(value);
  switch (field.type) {
    case 'boolean':
      return value ? 1 : 0;
    case 'datetime':
      return toDbDateTime(String(value));
    case 'json':
      return JSON.stringify(value);
    default:
      return value;
  }
}

/**
 * Build a row decoder for a fixed list of fields; rows come back keyed by API name (`AS`
 * in the SELECT). Generated code (./generated.ts): a list page decodes thousands of values.
 */
export function rowDecoder(fields: readonly FieldModel[], decrypt: ((stored: string) => string) | null): (row: Row) => Record<string, unknown> {
  const converters: ((v: unknown) => unknown)[] = [];
  const props = fields.map((f) => {
    const key = propertyKey(f.name);
    const convert = f.encrypted ? (v: unknown) => (decrypt ? decrypt(String(v)) : v) : valueDecoder(f);
    if (!convert) return `${key}: (v = row[${key}]) === undefined ? null : v`;
    converters.push(convert);
    return `${key}: (v = row[${key}]) == null ? null : c[${converters.length - 1}](v)`;
  });
  return generate(`return function decodeRow(row) { let v; return { ${props.join(', ')} }; };`, converters);
}
