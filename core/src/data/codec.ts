import type { FieldModel } from '../meta/model';
import type { Row } from './database';

/** `2026-01-02T03:04:05.678Z` → `2026-01-02 03:04:05.678` (UTC, sortable, both databases). */
export function toDbDateTime(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
}

export function fromDbDateTime(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const s = String(value);
  if (s.includes('T')) return new Date(s).toISOString();
  return `${s.replace(' ', 'T')}${s.length === 19 ? '.000' : ''}Z`;
}

export function nowDb(): string {
  return toDbDateTime(new Date().toISOString());
}

/** Database value → API value for one field. Decimals come back as strings that differ by driver. */
export function decode(field: FieldModel, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.multiple) return typeof value === 'string' ? JSON.parse(value) : value;
  switch (field.type) {
    case 'boolean':
      return value === 1 || value === true || value === '1';
    case 'decimal':
    case 'money':
    case 'integer':
    case 'reference':
    case 'file':
      return typeof value === 'number' ? value : Number(value);
    case 'datetime':
      return fromDbDateTime(value);
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : value;
    default:
      return value;
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

/** Build a row decoder for a fixed list of fields; rows come back keyed by API name (`AS` in the SELECT). */
export function rowDecoder(fields: readonly FieldModel[], decrypt: ((stored: string) => string) | null): (row: Row) => Record<string, unknown> {
  const plain = fields.map((f) => ({ name: f.name, field: f, encrypted: f.encrypted, passthrough: !f.multiple && (f.type === 'string' || f.type === 'text' || f.type === 'enum' || f.type === 'date') }));
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const p of plain) {
      const v = row[p.name];
      if (v === null || v === undefined) out[p.name] = null;
      else if (p.encrypted) out[p.name] = decrypt ? decrypt(String(v)) : v;
      else out[p.name] = p.passthrough ? v : decode(p.field, v);
    }
    return out;
  };
}
