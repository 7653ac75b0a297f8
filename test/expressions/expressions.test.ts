import {
  ExpressionError,
  FUNCTIONS,
  chineseAmount,
  compileExpression,
  evaluate,
  evaluateCondition,
  Num,
  parseExpression,
  type ExprType,
} from '../../core/src/expressions';

const lines = [
  { item: 'taxi', qty: 2, price: 19.99, amount: 39.98, date: '2026-03-02' },
  { item: 'hotel', qty: 1, price: 0.1, amount: 0.1, date: '2026-03-01' },
  { item: 'meal', qty: null, price: 0.2, amount: null, date: '2026-03-05' },
];
const scope = {
  qty: 3,
  price: 19.99,
  days: 4,
  name: '张三',
  flag: true,
  none: null,
  startDate: '2026-03-01',
  endDate: '2026-03-05',
  start: '2026-03-01T08:00:00.000Z',
  end: '2026-03-01T17:30:00.000Z',
  tags: ['vip', '车险'],
  lines,
  initiator: { id: 7, department: { id: 3, name: '财务部' }, level: 5 },
};
const run = (src: string, extra: Record<string, unknown> = {}) => evaluate(src, { ...scope, ...extra }, { now: new Date('2026-03-10T18:30:00Z'), timeZone: 'Asia/Shanghai' });

function errorOf(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ExpressionError) return err;
    throw err;
  }
  throw new Error('expected an ExpressionError');
}

describe('expression language: evaluation', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 / 4', 2.5],
    ['10 % 4', 2],
    ['-qty + +2', -1],
    ['2 * -3', -6],
    ['qty * price', 59.97],
    ['0.1 + 0.2', 0.3],
    ['0.1 + 0.2 == 0.3', true],
    ['1 / 3 * 3 == 1', false],
    ['ROUND(1 / 3 * 3, 2) == 1', true],
    ['9999999999999.99 + 0.01', 10000000000000],
    ['days > 3', true],
    ['days >= 4 and days <= 4', true],
    ['days < 3 or flag', true],
    ['days > 3 && !flag', false],
    ['not flag', false],
    ['NOT flag', false],
    ['days > 3 AND name == "张三"', true],
    ["name != '李四'", true],
    ['none == null', true],
    ['none > 3', false],
    ['none < 3', false],
    ['none + 1', null],
    ['not none', true],
    ['startDate < endDate', true],
    ["endDate == '2026-03-05'", true],
    ['days > 3 ? "long" : "short"', 'long'],
    ['flag ? 1 : 1 / 0', 1],
    ['false and 1 / 0 > 1', false],
    ['true or 1 / 0 > 1', true],
    ['[1, 2, 3]', [1, 2, 3]],
    ['lines[0].item', 'taxi'],
    ['lines[9].item', null],
    ['lines.item', ['taxi', 'hotel', 'meal']],
    ['initiator.department.name', '财务部'],
    ['initiator["level"] >= 5', true],
    ['initiator.missing', null],
    ['none.anything', null],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });

  it.each([
    ['IF(days > 3, "HR", "manager")', 'HR'],
    ['IF(false, 1 / 0, 2)', 2],
    ['IF(false, 1)', null],
    ['AND(flag, days > 3)', true],
    ['OR(false, none, days == 4)', true],
    ['AND(false, 1 / 0 > 0)', false],
    ['NOT(flag)', false],
    ['COALESCE(none, 0)', 0],
    ['COALESCE(none, none)', null],
    ['IS_EMPTY(none)', true],
    ['IS_EMPTY("")', true],
    ['IS_EMPTY([])', true],
    ['IS_EMPTY(0)', false],
    ['ROUND(2.5)', 3],
    ['ROUND(-2.5)', -3],
    ['ROUND(1.005, 2)', 1.01],
    ['ROUND(1234.5, -2)', 1200],
    ['FLOOR(2.7)', 2],
    ['CEIL(2.1)', 3],
    ['FLOOR(-2.5)', -3],
    ['ABS(-4.2)', 4.2],
    ['SUM(lines.amount)', 40.08],
    ['SUM(lines.amount, 0.02, [1, 2])', 43.1],
    ['SUM([])', 0],
    ['AVG(lines.amount)', 20.04],
    ['AVG([])', null],
    ['MIN(lines.price)', 0.1],
    ['MAX(lines.price)', 19.99],
    ['MIN(lines.date)', '2026-03-01'],
    ['MAX(lines.date)', '2026-03-05'],
    ['MAX([])', null],
    ['COUNT(lines)', 3],
    ['COUNT(lines.qty)', 2],
    ['CONCAT(name, "-", days, "-", none, true)', '张三-4-true'],
    ['CONCAT(0.1 + 0.2)', '0.3'],
    ['LEN(name)', 2],
    ['LEN("😀a")', 2],
    ['LEN(tags)', 2],
    ['LEN(none)', 0],
    ['UPPER("abc")', 'ABC'],
    ['LOWER("ABC")', 'abc'],
    ['TRIM("  x ")', 'x'],
    ['CONTAINS(tags, "vip")', true],
    ['CONTAINS(tags, "x")', false],
    ['CONTAINS(name, "张")', true],
    ['CONTAINS(none, "x")', false],
    ['DAYS(endDate, startDate) + 1', 5],
    ['DAYS(startDate, endDate)', -4],
    ['DAYS("2024-03-01", "2024-02-28")', 2],
    ['HOURS(end, start)', 9.5],
    ['DAYS(end, start)', 0.3958333333333333],
    ['HOURS(endDate, startDate)', 96],
    ['DAYS(none, startDate)', null],
    ['ADD_DAYS(startDate, 30)', '2026-03-31'],
    ['ADD_DAYS(start, -1)', '2026-02-28T08:00:00.000Z'],
    ['YEAR(endDate)', 2026],
    ['MONTH(endDate)', 3],
    ['DAY(endDate)', 5],
    ['DAY("2026-03-10T20:00:00Z")', 11],
    ['TODAY()', '2026-03-11'],
    ['NOW()', '2026-03-10T18:30:00.000Z'],
    ['CNY_UPPER(1234.56)', '壹仟贰佰叁拾肆元伍角陆分'],
    ['sum(lines.amount)', 40.08],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });

  it('adds money to the cent, however many lines', () => {
    const many = Array.from({ length: 1000 }, () => ({ amount: 0.1 }));
    expect(evaluate('SUM(lines.amount)', { lines: many })).toBe(100);
    expect(evaluate('SUM(lines.amount) == 100', { lines: many })).toBe(true);
    // the same sum in floating point is not 100
    expect(many.reduce((a, b) => a + b.amount, 0)).not.toBe(100);
  });

  it('gives the same result every time for the same input and moment', () => {
    const now = new Date('2026-12-31T16:00:00Z');
    const a = evaluate('CONCAT(TODAY(), " ", ROUND(1/7, 10))', {}, { now, timeZone: 'Asia/Shanghai' });
    const b = evaluate('CONCAT(TODAY(), " ", ROUND(1/7, 10))', {}, { now, timeZone: 'Asia/Shanghai' });
    expect(a).toBe('2027-01-01 0.1428571429');
    expect(b).toBe(a);
    expect(evaluate('TODAY()', {}, { now, timeZone: 'UTC' })).toBe('2026-12-31');
  });

  it('writes amounts in Chinese capitals', () => {
    const cases: [string, string][] = [
      ['0', '零元整'],
      ['0.05', '伍分'],
      ['0.5', '伍角'],
      ['1', '壹元整'],
      ['10', '壹拾元整'],
      ['1.05', '壹元零伍分'],
      ['100.1', '壹佰元壹角'],
      ['1001', '壹仟零壹元整'],
      ['10000', '壹万元整'],
      ['10010', '壹万零壹拾元整'],
      ['100000000', '壹亿元整'],
      ['100010000', '壹亿零壹万元整'],
      ['120000005.2', '壹亿贰仟万零伍元贰角'],
      ['-8.88', '负捌元捌角捌分'],
    ];
    for (const [n, s] of cases) expect(chineseAmount(new Num(n))).toBe(s);
  });

  it('evaluates conditions: empty is false, a non-boolean is an error', () => {
    expect(evaluateCondition('days > 3', scope)).toBe(true);
    expect(evaluateCondition('none', scope)).toBe(false);
    expect(errorOf(() => evaluateCondition('days', scope)).code).toBe('type');
  });

  it('takes a resolver function as the scope', () => {
    const resolve = (name: string) => (name === 'x' ? 2 : undefined);
    expect(evaluate('x * 21', resolve)).toBe(42);
    expect(errorOf(() => evaluate('y', resolve)).code).toBe('unknown-name');
  });
});

describe('expression language: errors name the position', () => {
  it.each([
    ['qty *', 'syntax', 5],
    ['(qty + 1', 'syntax', 8],
    ['qty = 1', 'syntax', 4],
    ['qty === 1', 'syntax', 4],
    ['qty & 1', 'syntax', 4],
    ['qty | 1', 'syntax', 4],
    ['qty << 1', 'syntax', 4],
    ['~qty', 'syntax', 0],
    ['qty ?? 1', 'syntax', 4],
    ['qty, price', 'syntax', 0],
    ['this', 'syntax', 0],
    ['a?.b', 'syntax', 0],
    ['[1, , 2]', 'syntax', 0],
    ['"open', 'syntax', 5],
  ])('%s → %s at %d', (src, code, start) => {
    const err = errorOf(() => parseExpression(src));
    expect(err.code).toBe(code);
    expect(err.start).toBe(start);
    expect(err.message).toMatch(/\(at \d+\)$/);
  });

  it('reports runtime errors where they happen', () => {
    let err = errorOf(() => run('qty + 10 / (days - 4)'));
    expect(err).toMatchObject({ code: 'division-by-zero', start: 11, end: 21 });
    err = errorOf(() => run('1 + name * 2'));
    expect(err).toMatchObject({ code: 'type', start: 4, end: 12 });
    err = errorOf(() => run('ROUND(qty, name)'));
    expect(err).toMatchObject({ code: 'type', start: 11, end: 15 });
    err = errorOf(() => run('DAYS("2026-02-30", startDate)'));
    expect(err).toMatchObject({ code: 'value', start: 5, end: 17 });
    err = errorOf(() => run('SUM(lines.item)'));
    expect(err.code).toBe('type');
    err = errorOf(() => run('unknownThing + 1'));
    expect(err).toMatchObject({ code: 'unknown-name', start: 0, end: 12 });
    err = errorOf(() => run('FOO(1)'));
    expect(err).toMatchObject({ code: 'unknown-function', start: 0 });
    err = errorOf(() => run('ROUND()'));
    expect(err.code).toBe('arity');
    err = errorOf(() => run('days > "3"'));
    expect(err.code).toBe('type');
  });

  const env: Record<string, ExprType> = {
    qty: 'number',
    price: 'number',
    name: 'string',
    days: 'number',
    flag: 'boolean',
    startDate: 'date',
    endDate: 'date',
    tags: { list: 'string' },
    lines: { list: { record: { amount: 'number', item: 'string', date: 'date' } } },
  };

  it.each([
    ['qty * price', 'number'],
    ['SUM(lines.amount)', 'number'],
    ['startDate <= endDate', 'boolean'],
    ["endDate > '2026-01-01'", 'boolean'],
    ['IF(flag, name, "x")', 'string'],
    ['MAX(lines.date)', 'date'],
    ['lines.item', { list: 'string' }],
    ['COUNT(lines) > 0', 'boolean'],
  ])('checks %s as %j', (src, type) => {
    expect(compileExpression(src, env).type).toEqual(type);
  });

  it.each([
    ['qty * name', 'type', 6, 10, /needs numbers, not text/],
    ['name + "x"', 'type', 0, 4, /CONCAT/],
    ['endDate - startDate', 'type', 0, 7, /DAYS/],
    ['days > "3"', 'type', 0, 10, /Cannot compare a number with text/],
    ['flag == 1', 'type', 0, 9, /never equal/],
    ['not days > 3', 'type', 4, 8, /"not" needs true\/false/],
    ['qty and flag', 'type', 0, 3, /"and" needs true\/false/],
    ['qtyy * 2', 'unknown-name', 0, 4, /did you mean "qty"/],
    ['SUM(lines.amountt)', 'unknown-name', 4, 17, /No field "amountt"; did you mean "amount"/],
    ['SUMM(lines.amount)', 'unknown-function', 0, 18, /did you mean "SUM"/],
    ['SUM(lines.item)', 'type', 4, 14, /must be numbers/],
    ['IF(qty, 1, 2)', 'type', 3, 6, /true\/false/],
    ['ROUND(1, 2, 3)', 'arity', 0, 14, /ROUND takes 1 to 2 arguments, not 3/],
    ['TODAY(1)', 'arity', 0, 8, /TODAY takes 0 arguments/],
    ['name.length', 'type', 0, 11, /Cannot read "length" of text/],
  ])('refuses %s (%s at %d-%d)', (src, code, start, end, message) => {
    const err = errorOf(() => compileExpression(src, env));
    expect(err).toMatchObject({ code, start, end });
    expect(err.message).toMatch(message);
  });

  it('lists the name paths an expression reads', () => {
    expect(compileExpression('SUM(lines.amount) + qty * COUNT(lines) + lines[0].amount', env).references).toEqual([['lines', 'amount'], ['qty'], ['lines'], ['lines', 'amount']]);
  });

  it('documents every function', () => {
    for (const [name, spec] of FUNCTIONS) expect(spec.summary.startsWith(name)).toBe(true);
  });
});

describe('expression language: limits and hostile input', () => {
  it('refuses expressions that are too long, too deep or too large', () => {
    expect(errorOf(() => parseExpression('1+'.repeat(2500) + '1')).code).toBe('limit');
    expect(errorOf(() => parseExpression('('.repeat(1900) + '1' + ')'.repeat(1900))).code).toBe('limit');
    expect(errorOf(() => parseExpression('-'.repeat(3000) + '1')).code).toBe('limit');
    expect(errorOf(() => parseExpression(`SUM(${Array.from({ length: 1500 }, (_, i) => i).join(',')})`)).code).toBe('limit');
    expect(errorOf(() => parseExpression('1 + 1', { maxLength: 3 })).code).toBe('limit');
    expect(parseExpression('('.repeat(30) + '1' + ')'.repeat(30)).kind).toBe('number');
    expect(errorOf(() => parseExpression('')).code).toBe('syntax');
  });

  it('caps the size of text it builds', () => {
    const big = 'x'.repeat(60_000);
    expect(errorOf(() => evaluate('CONCAT(s, s)', { s: big })).code).toBe('limit');
  });

  it.each([
    'constructor',
    '__proto__',
    'prototype',
    'x.constructor',
    'x.__proto__',
    'constructor.constructor("return process")()',
    'x.constructor.constructor("return 1")()',
    'toString()',
    'x.toString()',
    'eval("1")',
    'Function("return 1")()',
    'require("fs")',
    'process.exit()',
    'globalThis',
    'this.constructor',
    '(() => 1)()',
    'new Date()',
    'x = 1',
    '`template`',
    '/re/.test("a")',
  ])('%s is refused or reaches nothing', (src) => {
    const probe = { x: { a: 1 } };
    let result: unknown;
    try {
      result = evaluate(compileExpression(src), probe);
    } catch (err) {
      expect(err).toBeInstanceOf(ExpressionError);
      return;
    }
    // anything that does evaluate only ever sees the data's own properties
    expect(result).toBeNull();
  });

  it('reads only own properties of data, never the prototype', () => {
    const scope = { x: {}, list: [1, 2] };
    expect(evaluate('x.toString', scope)).toBeNull();
    expect(evaluate('x["constructor"]', scope)).toBeNull();
    expect(evaluate('x["__proto__"]', scope)).toBeNull();
    expect(errorOf(() => evaluate('list["length"]', scope)).code).toBe('type');
    expect(errorOf(() => evaluate('hasOwnProperty', scope)).code).toBe('unknown-name');
    expect(errorOf(() => evaluate('toString', scope)).code).toBe('unknown-name');
    // a JSON "__proto__" key is just data
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    expect(evaluate('data.a', { data: parsed })).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses values that are not data', () => {
    expect(errorOf(() => evaluate('f', { f: () => 1 })).code).toBe('value');
    expect(errorOf(() => evaluate('x', { x: NaN })).code).toBe('value');
    expect(errorOf(() => evaluate('x.y', { x: { y: new Map() } })).code).toBe('value');
  });
});

describe('expression language: the examples in docs/forms.md', () => {
  it('runs them as documented', () => {
    const c = compileExpression('amount > 5000 and initiator.level < 3', { amount: 'number', initiator: { record: { level: 'number', department: 'number' } } });
    expect(evaluateCondition(c, { amount: 6000, initiator: { level: 2, department: 4 } })).toBe(true);
    expect(evaluate('ROUND(SUM(lines.amount) * 1.13, 2)', { lines: [{ amount: 10.5 }] })).toBe(11.87);
    expect(errorOf(() => compileExpression('amount > 5000 and initiator.levle < 3', { amount: 'number', initiator: { record: { level: 'number' } } })).message).toMatch(/No field "levle"; did you mean "level"/);
  });
});
