import Decimal from 'decimal.js';

/**
 * Numbers are decimals (34 significant digits, half-up rounding): 0.1 + 0.2 is 0.3 and
 * money adds up to the cent. A private constructor, so the process-wide Decimal settings
 * of other code never change our results.
 */
export const Num = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Num = Decimal;

/** A record (a detail row, the initiator…): a plain object read by own properties only. */
export type RecordValue = { readonly [key: string]: unknown };

/** What an expression computes with. Lists and records hold raw values, converted on read. */
export type Value = null | Num | string | boolean | readonly unknown[] | RecordValue;

export const isNum = (v: unknown): v is Num => v instanceof Num || Decimal.isDecimal(v);
export const isRecord = (v: unknown): v is RecordValue => {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || isNum(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** Raw data (JSON from a form, a record) → a value. Anything that is not data is refused. */
export function toValue(raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  switch (typeof raw) {
    case 'number':
      if (!Number.isFinite(raw)) throw new TypeError('not a finite number');
      return new Num(raw);
    case 'string':
    case 'boolean':
      return raw;
    case 'bigint':
      return new Num(raw.toString());
    case 'object':
      if (isNum(raw)) return raw instanceof Num ? raw : new Num((raw as Num).toString());
      if (Array.isArray(raw)) return raw;
      if (raw instanceof Date) return raw.toISOString();
      if (isRecord(raw)) return raw;
      throw new TypeError('not plain data');
    default:
      throw new TypeError(`a ${typeof raw} is not data`);
  }
}

/** A value → plain JSON (numbers as JS numbers). */
export function toPlain(v: unknown): unknown {
  if (isNum(v)) return v.toNumber();
  if (Array.isArray(v)) return v.map(toPlain);
  return v;
}

export function describe(v: Value): string {
  if (v === null) return 'empty';
  if (isNum(v)) return 'a number';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'boolean') return 'true/false';
  if (Array.isArray(v)) return 'a list';
  return 'a record';
}

/** Own, enumerable, non-prototype property of a record; missing is empty. */
export function member(record: RecordValue, key: string): Value {
  if (!Object.prototype.hasOwnProperty.call(record, key)) return null;
  return toValue(record[key]);
}

export function equal(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (isNum(a)) return isNum(b) && a.eq(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => equal(toValue(x), toValue(b[i])));
  }
  return a === b;
}
