/**
 * Static types, used to check an expression when it is saved (a formula that multiplies
 * text, or compares a date with a number, is refused then rather than failing later).
 * `any` is a value whose type is not known in advance; `null` is the empty literal.
 * Dates and date-times are text at run time (`2026-05-01`, ISO 8601) and compare as text.
 */
export type ExprType =
  | 'number'
  | 'string'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'null'
  | 'any'
  | { readonly list: ExprType }
  | { readonly record: Readonly<Record<string, ExprType>> };

export const ANY: ExprType = 'any';

export const isList = (t: ExprType): t is { list: ExprType } => typeof t === 'object' && 'list' in t;
export const isRecordType = (t: ExprType): t is { record: Readonly<Record<string, ExprType>> } => typeof t === 'object' && 'record' in t;
const loose = (t: ExprType) => t === 'any' || t === 'null';

export const isNumeric = (t: ExprType): boolean => t === 'number' || loose(t);
export const isTextual = (t: ExprType): boolean => t === 'string' || t === 'date' || t === 'datetime' || loose(t);
export const isDateLike = (t: ExprType): boolean => t === 'date' || t === 'datetime' || t === 'string' || loose(t);
export const isBooleanish = (t: ExprType): boolean => t === 'boolean' || loose(t);

/** The type of an element, if `t` may be a list (for functions that take lists or values). */
export function elementType(t: ExprType): ExprType {
  if (isList(t)) return elementType(t.list);
  return t;
}

export function describeType(t: ExprType): string {
  if (isList(t)) return `a list of ${describeType(t.list).replace(/^an? /, '')}`;
  if (isRecordType(t)) return 'a record';
  switch (t) {
    case 'number':
      return 'a number';
    case 'string':
      return 'text';
    case 'boolean':
      return 'true/false';
    case 'date':
      return 'a date';
    case 'datetime':
      return 'a date-time';
    case 'null':
      return 'empty';
    default:
      return 'a value';
  }
}

/** The common type of two branches (IF, ?:, list items): unknown if they differ. */
export function unify(a: ExprType, b: ExprType): ExprType {
  if (a === 'null') return b;
  if (b === 'null') return a;
  if (a === b) return a;
  if (isTextual(a) && isTextual(b) && a !== 'any' && b !== 'any') return 'string';
  if (isList(a) && isList(b)) return { list: unify(a.list, b.list) };
  return 'any';
}

/** Whether values of the two types can be compared with <, <=, >, >=. */
export function comparable(a: ExprType, b: ExprType): boolean {
  if (loose(a) || loose(b)) return true;
  if (a === 'number' || b === 'number') return a === b;
  return isTextual(a) && isTextual(b);
}

/** Whether == between the two types can ever be true (otherwise it is a mistake). */
export function equatable(a: ExprType, b: ExprType): boolean {
  if (loose(a) || loose(b)) return true;
  if (isTextual(a) && isTextual(b)) return true;
  if (isList(a) && isList(b)) return equatable(a.list, b.list);
  return a === b;
}

/** Whether a value of type `actual` may be stored where `expected` is wanted. */
export function assignable(actual: ExprType, expected: ExprType): boolean {
  if (loose(actual) || expected === 'any') return true;
  if (expected === 'string') return isTextual(actual);
  if (expected === 'date' || expected === 'datetime') return actual === expected || actual === 'string';
  if (isList(expected)) return isList(actual) && assignable(actual.list, expected.list);
  return actual === expected;
}
