import type { FieldModel } from '../meta/model';
import { toDbDateTime } from '../data/codec';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Why a value cannot be compared with a field; null when it can. */
export type Coerced = { ok: true; value: unknown } | { ok: false; expected: string };

/**
 * Turn a filter value (JSON, or a string from a query string) into the database
 * parameter for comparing with `field`. Values are always bound, never spliced into SQL.
 */
export function coerceFilterValue(field: FieldModel, value: unknown): Coerced {
  if (value === null) return { ok: true, value: null };
  switch (field.type) {
    case 'string':
    case 'text':
    case 'enum':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number') return { ok: true, value: String(value) };
      return { ok: false, expected: 'a string' };
    case 'integer':
    case 'reference':
    case 'file': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      return typeof n === 'number' && Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, expected: 'an integer' };
    }
    case 'decimal':
    case 'money': {
      const n = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, expected: 'a number' };
    }
    case 'boolean':
      if (value === true || value === 'true' || value === '1' || value === 1) return { ok: true, value: 1 };
      if (value === false || value === 'false' || value === '0' || value === 0) return { ok: true, value: 0 };
      return { ok: false, expected: 'true or false' };
    case 'date':
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? { ok: true, value }
        : { ok: false, expected: 'a date YYYY-MM-DD' };
    case 'datetime':
      return typeof value === 'string' && (DATETIME.test(value) || DATE.test(value)) && !Number.isNaN(Date.parse(value))
        ? { ok: true, value: toDbDateTime(DATE.test(value) ? `${value}T00:00:00Z` : value) }
        : { ok: false, expected: 'an ISO 8601 date-time' };
    case 'json':
    case 'collection':
      return { ok: false, expected: 'nothing: this field cannot be compared' };
  }
}
