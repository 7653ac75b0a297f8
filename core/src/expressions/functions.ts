import type Decimal from 'decimal.js';
import type { ExpressionErrorCode } from './errors';
import { Num, describe, equal, isNum, toValue, type Value } from './values';
import {
  describeType,
  elementType,
  isBooleanish,
  isDateLike,
  isList,
  isNumeric,
  isTextual,
  unify,
  type ExprType,
} from './types';

/** What functions may know besides their arguments: the moment of evaluation and the time zone. */
export interface FunctionContext {
  now: Date;
  timeZone: string;
}

/** A problem with one argument (`index`), or with the call (`index` null). */
export class ArgProblem {
  constructor(
    readonly index: number | null,
    readonly message: string,
    readonly code: ExpressionErrorCode = 'type',
  ) {}
}

interface FunctionSpec {
  min: number;
  max: number;
  /** The result type for these argument types; throws ArgProblem for wrong ones. */
  type(args: readonly ExprType[]): ExprType;
  /** Eager: arguments evaluated first. */
  run?(args: readonly Value[], ctx: FunctionContext): Value;
  /** Lazy: each argument evaluated only when asked (IF, AND, OR, COALESCE). */
  runLazy?(args: readonly (() => Value)[], ctx: FunctionContext): Value;
  summary: string;
}

export const MAX_TEXT = 100_000;

// ---- argument helpers -----------------------------------------------------------------

const wantType = (ok: (t: ExprType) => boolean, what: string) => (t: ExprType, i: number) => {
  if (!ok(t)) throw new ArgProblem(i, `argument ${i + 1} must be ${what}, not ${describeType(t)}`);
};
const numberArg = wantType(isNumeric, 'a number');
const textArg = wantType((t) => isTextual(t) || t === 'number' || t === 'boolean', 'text');
const dateArg = wantType(isDateLike, 'a date or date-time');
const boolArg = wantType(isBooleanish, 'true/false');

function num(v: Value, i: number): Num | null {
  if (v === null) return null;
  if (!isNum(v)) throw new ArgProblem(i, `argument ${i + 1} must be a number, not ${describe(v)}`);
  return v;
}

function truth(v: Value, i: number | null): boolean {
  if (v === null) return false;
  if (typeof v !== 'boolean') throw new ArgProblem(i, `${i === null ? 'the condition' : `argument ${i + 1}`} must be true/false, not ${describe(v)}`);
  return v;
}

function digits(v: Value, i: number): number {
  const n = num(v, i);
  if (n === null || !n.isInteger() || n.abs().gt(12)) throw new ArgProblem(i, 'the number of decimal places must be a whole number from -12 to 12', 'value');
  return n.toNumber();
}

/** List arguments are flattened (SUM(lines.amount, extra)); empties are dropped. */
function flatten(args: readonly Value[]): Value[] {
  const out: Value[] = [];
  const walk = (v: Value) => {
    if (Array.isArray(v)) for (const x of v) walk(toValue(x));
    else if (v !== null) out.push(v);
  };
  args.forEach(walk);
  return out;
}

function numbers(args: readonly Value[]): Num[] {
  return flatten(args).map((v) => {
    if (!isNum(v)) throw new ArgProblem(null, `only numbers can be added up, not ${describe(v)}`);
    return v;
  });
}

function aggregateType(args: readonly ExprType[], what: (t: ExprType) => boolean, label: string): void {
  args.forEach((t, i) => {
    const e = elementType(t);
    if (!what(e)) throw new ArgProblem(i, `argument ${i + 1} must be ${label} (or a list of them), not ${describeType(t)}`);
  });
}

function text(v: Value): string {
  if (v === null) return '';
  if (isNum(v)) return v.toFixed();
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  throw new ArgProblem(null, `${describe(v)} cannot be turned into text`);
}

function capped(s: string): string {
  if (s.length > MAX_TEXT) throw new ArgProblem(null, `the text would be longer than ${MAX_TEXT} characters`, 'limit');
  return s;
}

// ---- dates ----------------------------------------------------------------------------

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const DAY_MS = 86_400_000;

interface Instant {
  ms: number;
  dateOnly: boolean;
}

function instant(v: Value, i: number): Instant | null {
  if (v === null) return null;
  if (typeof v === 'string') {
    const d = DATE.exec(v);
    if (d) {
      const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
      if (new Date(ms).toISOString().slice(0, 10) === v) return { ms, dateOnly: true };
    } else if (DATETIME.test(v)) {
      const ms = Date.parse(v);
      if (!Number.isNaN(ms)) return { ms, dateOnly: false };
    }
  }
  throw new ArgProblem(i, `argument ${i + 1} must be a date (YYYY-MM-DD) or an ISO 8601 date-time, not ${typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : describe(v)}`, 'value');
}

/** The calendar date of an instant in a time zone, `YYYY-MM-DD`. */
export function localDate(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function datePart(v: Value, i: number, ctx: FunctionContext, part: 0 | 1 | 2): Value {
  const t = instant(v, i);
  if (!t) return null;
  const day = t.dateOnly ? (v as string) : localDate(t.ms, ctx.timeZone);
  return new Num(day.split('-')[part]);
}

// ---- Chinese upper-case amounts (大写金额) ----------------------------------------------

const CN_DIGITS = '零壹贰叁肆伍陆柒捌玖';
const CN_SMALL = ['', '拾', '佰', '仟'];
const CN_BIG = ['', '万', '亿', '万亿'];

export function chineseAmount(n: Num): string {
  const rounded = n.toDecimalPlaces(2, Num.ROUND_HALF_UP);
  if (rounded.isZero()) return '零元整';
  const [intPart, frac] = rounded.abs().toFixed(2).split('.');
  if (intPart.length > 16) throw new ArgProblem(0, 'the amount is too large to write out', 'limit');
  let out = '';
  let zero = false;
  for (let i = 0; i < intPart.length; i++) {
    const d = Number(intPart[i]);
    const pos = intPart.length - 1 - i;
    if (d === 0) zero = true;
    else {
      if (zero && out) out += '零';
      zero = false;
      out += CN_DIGITS[d] + CN_SMALL[pos % 4];
    }
    if (pos % 4 === 0 && pos > 0) {
      const group = intPart.slice(Math.max(0, i - 3), i + 1);
      if (/[1-9]/.test(group)) out += CN_BIG[pos / 4];
    }
  }
  if (out) out += '元';
  const jiao = Number(frac[0]);
  const fen = Number(frac[1]);
  if (jiao === 0 && fen === 0) out += '整';
  else {
    if (jiao > 0) out += `${CN_DIGITS[jiao]}角`;
    else if (out) out += '零';
    if (fen > 0) out += `${CN_DIGITS[fen]}分`;
  }
  return (rounded.isNeg() ? '负' : '') + out;
}

// ---- the function table ---------------------------------------------------------------

const round = (mode: Decimal.Rounding) => ({
  min: 1,
  max: 2,
  type(args: readonly ExprType[]) {
    args.forEach(numberArg);
    return 'number' as const;
  },
  run(args: readonly Value[]) {
    const n = num(args[0], 0);
    const places = args.length > 1 ? digits(args[1], 1) : 0;
    if (n === null) return null;
    if (places >= 0) return n.toDecimalPlaces(places, mode);
    const f = new Num(10).pow(-places);
    return n.div(f).toDecimalPlaces(0, mode).mul(f);
  },
});

const extreme = (pick: 'max' | 'min', summary: string): FunctionSpec => ({
  min: 1,
  max: Infinity,
  summary,
  type(args) {
    aggregateType(args, (t) => isNumeric(t) || isTextual(t), 'numbers, dates or text');
    return args.map(elementType).reduce(unify);
  },
  run(args) {
    const items = flatten(args);
    if (!items.length) return null;
    const allNumbers = items.every(isNum);
    const allText = items.every((v) => typeof v === 'string');
    if (!allNumbers && !allText) throw new ArgProblem(null, `${pick.toUpperCase()} compares numbers with numbers or dates/text with dates/text, not a mix`);
    let best = items[0];
    for (const v of items.slice(1)) {
      const better = allNumbers ? (pick === 'max' ? (v as Num).gt(best as Num) : (v as Num).lt(best as Num)) : pick === 'max' ? (v as string) > (best as string) : (v as string) < (best as string);
      if (better) best = v;
    }
    return best;
  },
});

const textFn = (summary: string, fn: (s: string) => string): FunctionSpec => ({
  min: 1,
  max: 1,
  summary,
  type(args) {
    args.forEach(textArg);
    return 'string';
  },
  run(args) {
    return args[0] === null ? null : fn(text(args[0]));
  },
});

export const FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  [
    'IF',
    {
      min: 2,
      max: 3,
      summary: 'IF(condition, then, else?) — only the chosen branch is evaluated; else defaults to empty',
      type(args) {
        boolArg(args[0], 0);
        return unify(args[1], args[2] ?? 'null');
      },
      runLazy(args) {
        return truth(args[0](), 0) ? args[1]() : args.length > 2 ? args[2]() : null;
      },
    },
  ],
  [
    'AND',
    {
      min: 1,
      max: Infinity,
      summary: 'AND(a, b, …) — true when all are true (stops at the first false)',
      type(args) {
        args.forEach(boolArg);
        return 'boolean';
      },
      runLazy(args) {
        return args.every((a, i) => truth(a(), i));
      },
    },
  ],
  [
    'OR',
    {
      min: 1,
      max: Infinity,
      summary: 'OR(a, b, …) — true when any is true (stops at the first true)',
      type(args) {
        args.forEach(boolArg);
        return 'boolean';
      },
      runLazy(args) {
        return args.some((a, i) => truth(a(), i));
      },
    },
  ],
  [
    'NOT',
    {
      min: 1,
      max: 1,
      summary: 'NOT(a) — true when a is false or empty',
      type(args) {
        boolArg(args[0], 0);
        return 'boolean';
      },
      run(args) {
        return !truth(args[0], 0);
      },
    },
  ],
  [
    'COALESCE',
    {
      min: 1,
      max: Infinity,
      summary: 'COALESCE(a, b, …) — the first value that is not empty',
      type(args) {
        return args.reduce(unify);
      },
      runLazy(args) {
        for (const a of args) {
          const v = a();
          if (v !== null) return v;
        }
        return null;
      },
    },
  ],
  [
    'IS_EMPTY',
    {
      min: 1,
      max: 1,
      summary: 'IS_EMPTY(x) — true for empty, "" and an empty list',
      type: () => 'boolean',
      run(args) {
        const v = args[0];
        return v === null || v === '' || (Array.isArray(v) && v.length === 0);
      },
    },
  ],
  ['ROUND', { ...round(Num.ROUND_HALF_UP), summary: 'ROUND(x, places?) — half away from zero (2.5 → 3, -2.5 → -3); places may be negative' }],
  ['FLOOR', { ...round(Num.ROUND_FLOOR), summary: 'FLOOR(x, places?) — rounded down' }],
  ['CEIL', { ...round(Num.ROUND_CEIL), summary: 'CEIL(x, places?) — rounded up' }],
  [
    'ABS',
    {
      min: 1,
      max: 1,
      summary: 'ABS(x)',
      type(args) {
        numberArg(args[0], 0);
        return 'number';
      },
      run(args) {
        return num(args[0], 0)?.abs() ?? null;
      },
    },
  ],
  [
    'SUM',
    {
      min: 1,
      max: Infinity,
      summary: 'SUM(lines.amount, …) — the total; empties are skipped, nothing adds up to 0',
      type(args) {
        aggregateType(args, isNumeric, 'numbers');
        return 'number';
      },
      run(args) {
        return numbers(args).reduce((a, b) => a.plus(b), new Num(0));
      },
    },
  ],
  [
    'AVG',
    {
      min: 1,
      max: Infinity,
      summary: 'AVG(lines.amount, …) — the mean of the values that are not empty; empty if there are none',
      type(args) {
        aggregateType(args, isNumeric, 'numbers');
        return 'number';
      },
      run(args) {
        const ns = numbers(args);
        return ns.length ? ns.reduce((a, b) => a.plus(b), new Num(0)).div(ns.length) : null;
      },
    },
  ],
  ['MIN', extreme('min', 'MIN(lines.date, …) — the smallest number, or the earliest date / first text')],
  ['MAX', extreme('max', 'MAX(lines.amount, …) — the largest number, or the latest date / last text')],
  [
    'COUNT',
    {
      min: 1,
      max: Infinity,
      summary: 'COUNT(lines) — rows of the detail table; COUNT(lines.x) — values that are not empty',
      type: () => 'number',
      run(args) {
        return new Num(flatten(args).length);
      },
    },
  ],
  [
    'CONCAT',
    {
      min: 1,
      max: Infinity,
      summary: 'CONCAT(a, b, …) — text joined; empties count as ""',
      type(args) {
        args.forEach(textArg);
        return 'string';
      },
      run(args) {
        return capped(args.map(text).join(''));
      },
    },
  ],
  [
    'LEN',
    {
      min: 1,
      max: 1,
      summary: 'LEN(x) — characters of text, items of a list; 0 when empty',
      type(args) {
        if (!isTextual(args[0]) && !isList(args[0])) throw new ArgProblem(0, `LEN takes text or a list, not ${describeType(args[0])}`);
        return 'number';
      },
      run(args) {
        const v = args[0];
        if (v === null) return new Num(0);
        if (Array.isArray(v)) return new Num(v.length);
        if (typeof v === 'string') return new Num([...v].length);
        throw new ArgProblem(0, `LEN takes text or a list, not ${describe(v)}`);
      },
    },
  ],
  ['UPPER', textFn('UPPER(text)', (s) => s.toUpperCase())],
  ['LOWER', textFn('LOWER(text)', (s) => s.toLowerCase())],
  ['TRIM', textFn('TRIM(text) — without leading and trailing spaces', (s) => s.trim())],
  [
    'CONTAINS',
    {
      min: 2,
      max: 2,
      summary: 'CONTAINS(text, part) or CONTAINS(list, value) — e.g. CONTAINS(tags, "vip")',
      type(args) {
        if (!isTextual(args[0]) && !isList(args[0])) throw new ArgProblem(0, `CONTAINS looks in text or a list, not ${describeType(args[0])}`);
        return 'boolean';
      },
      run(args) {
        const [where, what] = args;
        if (where === null) return false;
        if (Array.isArray(where)) return where.some((x) => equal(toValue(x), what));
        if (typeof where === 'string') return what !== null && where.includes(text(what));
        throw new ArgProblem(0, `CONTAINS looks in text or a list, not ${describe(where)}`);
      },
    },
  ],
  [
    'TODAY',
    {
      min: 0,
      max: 0,
      summary: 'TODAY() — the date of evaluation in the platform time zone',
      type: () => 'date',
      run: (_args, ctx) => localDate(ctx.now.getTime(), ctx.timeZone),
    },
  ],
  [
    'NOW',
    {
      min: 0,
      max: 0,
      summary: 'NOW() — the instant of evaluation (ISO 8601, UTC)',
      type: () => 'datetime',
      run: (_args, ctx) => ctx.now.toISOString(),
    },
  ],
  [
    'DAYS',
    {
      min: 2,
      max: 2,
      summary: 'DAYS(end, start) — days from start to end: whole days between dates, fractional between date-times',
      type(args) {
        args.forEach(dateArg);
        return 'number';
      },
      run(args) {
        const end = instant(args[0], 0);
        const start = instant(args[1], 1);
        if (!end || !start) return null;
        return new Num(end.ms - start.ms).div(DAY_MS);
      },
    },
  ],
  [
    'HOURS',
    {
      min: 2,
      max: 2,
      summary: 'HOURS(end, start) — hours from start to end (a date counts from midnight UTC)',
      type(args) {
        args.forEach(dateArg);
        return 'number';
      },
      run(args) {
        const end = instant(args[0], 0);
        const start = instant(args[1], 1);
        if (!end || !start) return null;
        return new Num(end.ms - start.ms).div(3_600_000);
      },
    },
  ],
  [
    'ADD_DAYS',
    {
      min: 2,
      max: 2,
      summary: 'ADD_DAYS(date, n) — the date n days later (earlier for negative n); keeps a date-time a date-time',
      type(args) {
        dateArg(args[0], 0);
        numberArg(args[1], 1);
        return args[0] === 'date' || args[0] === 'datetime' ? args[0] : 'string';
      },
      run(args) {
        const t = instant(args[0], 0);
        const n = num(args[1], 1);
        if (!t || n === null) return null;
        if (!n.isInteger() || n.abs().gt(1_000_000)) throw new ArgProblem(1, 'the number of days must be a whole number', 'value');
        const ms = t.ms + n.toNumber() * DAY_MS;
        if (!Number.isFinite(new Date(ms).getTime())) throw new ArgProblem(1, 'the date would be out of range', 'value');
        const iso = new Date(ms).toISOString();
        return t.dateOnly ? iso.slice(0, 10) : iso;
      },
    },
  ],
  ['YEAR', { min: 1, max: 1, summary: 'YEAR(date)', type: (a) => (dateArg(a[0], 0), 'number'), run: (a, ctx) => datePart(a[0], 0, ctx, 0) }],
  ['MONTH', { min: 1, max: 1, summary: 'MONTH(date) — 1 to 12', type: (a) => (dateArg(a[0], 0), 'number'), run: (a, ctx) => datePart(a[0], 0, ctx, 1) }],
  ['DAY', { min: 1, max: 1, summary: 'DAY(date) — day of the month', type: (a) => (dateArg(a[0], 0), 'number'), run: (a, ctx) => datePart(a[0], 0, ctx, 2) }],
  [
    'CNY_UPPER',
    {
      min: 1,
      max: 1,
      summary: 'CNY_UPPER(amount) — the amount in Chinese capitals (大写): 1234.5 → 壹仟贰佰叁拾肆元伍角',
      type(args) {
        numberArg(args[0], 0);
        return 'string';
      },
      run(args) {
        const n = num(args[0], 0);
        return n === null ? null : chineseAmount(n);
      },
    },
  ],
]);
