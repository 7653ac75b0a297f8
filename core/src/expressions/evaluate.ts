import { ExpressionError } from './errors';
import { ArgProblem, FUNCTIONS, MAX_TEXT, type FunctionContext } from './functions';
import type { ExprNode } from './parser';
import { Num, describe, equal, isNum, isRecord, member, toValue, type Value } from './values';

/**
 * Where names come from: a plain object (own properties only) or a function that returns
 * `undefined` for a name it does not know.
 */
export type Scope = Readonly<Record<string, unknown>> | ((name: string) => unknown);

export interface EvaluateOptions {
  /** The moment TODAY() and NOW() see. Default: now. Pass it for reproducible results. */
  now?: Date;
  /** IANA time zone of TODAY(), YEAR()… on date-times. Default UTC. */
  timeZone?: string;
}

function lookup(scope: Scope, node: Extract<ExprNode, { kind: 'name' }>): Value {
  let raw: unknown;
  if (typeof scope === 'function') raw = scope(node.name);
  else if (Object.prototype.hasOwnProperty.call(scope, node.name)) raw = scope[node.name] ?? null;
  if (raw === undefined) throw new ExpressionError('unknown-name', `Unknown name "${node.name}"`, node.start, node.end);
  return convert(raw, node);
}

function convert(raw: unknown, node: ExprNode): Value {
  try {
    return toValue(raw);
  } catch (err) {
    throw new ExpressionError('value', `The value is not usable: ${(err as Error).message}`, node.start, node.end);
  }
}

const fail = (node: ExprNode, message: string, code: 'type' | 'value' = 'type'): never => {
  throw new ExpressionError(code, message, node.start, node.end);
};

/** Empty, false → false; true → true; anything else is a mistake. */
function truth(v: Value, node: ExprNode): boolean {
  if (v === null) return false;
  if (typeof v !== 'boolean') fail(node, `Expected true/false, got ${describe(v)}`);
  return v as boolean;
}

function compare(op: '<' | '<=' | '>' | '>=', a: Value, b: Value, node: ExprNode): boolean {
  if (a === null || b === null) return false;
  let c: number;
  if (isNum(a) && isNum(b)) c = a.cmp(b);
  else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0;
  else return fail(node, `Cannot compare ${describe(a)} with ${describe(b)}`);
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function arithmetic(op: '+' | '-' | '*' | '/' | '%', a: Value, b: Value, node: Extract<ExprNode, { kind: 'binary' }>): Value {
  if (a === null || b === null) return null;
  if (!isNum(a) || !isNum(b)) {
    const hint = op === '+' && (typeof a === 'string' || typeof b === 'string') ? ' (use CONCAT to join text)' : '';
    return fail(node, `"${op}" needs numbers, got ${describe(a)} and ${describe(b)}${hint}`);
  }
  switch (op) {
    case '+':
      return a.plus(b);
    case '-':
      return a.minus(b);
    case '*':
      return a.times(b);
    case '/':
    case '%':
      if (b.isZero()) throw new ExpressionError('division-by-zero', 'Division by zero', node.right.start, node.right.end);
      return op === '/' ? a.div(b) : a.mod(b);
  }
}

class Evaluator {
  constructor(
    private readonly scope: Scope,
    private readonly ctx: FunctionContext,
  ) {}

  run(node: ExprNode): Value {
    switch (node.kind) {
      case 'number':
        return new Num(node.raw);
      case 'string':
        return node.value;
      case 'constant':
        return node.value;
      case 'name':
        return lookup(this.scope, node);
      case 'member':
        return this.member(this.run(node.object), node.property, node);
      case 'index': {
        const obj = this.run(node.object);
        const key = this.run(node.index);
        if (obj === null || key === null) return null;
        if (Array.isArray(obj)) {
          if (!isNum(key) || !key.isInteger()) return fail(node.index, `A list is indexed by a whole number, not ${describe(key)}`);
          const i = key.toNumber();
          return i >= 0 && i < obj.length ? convert(obj[i], node) : null;
        }
        if (isRecord(obj) && typeof key === 'string') return this.member(obj, key, node);
        return fail(node, `Cannot index ${describe(obj)} with ${describe(key)}`);
      }
      case 'unary': {
        const v = this.run(node.arg);
        if (node.op === 'not') return !truth(v, node.arg);
        if (v === null) return null;
        if (!isNum(v)) return fail(node, `"${node.op}" needs a number, got ${describe(v)}`);
        return node.op === '-' ? v.neg() : v;
      }
      case 'binary': {
        const a = this.run(node.left);
        const b = this.run(node.right);
        switch (node.op) {
          case '==':
            return equal(a, b);
          case '!=':
            return !equal(a, b);
          case '<':
          case '<=':
          case '>':
          case '>=':
            return compare(node.op, a, b, node);
          default:
            return arithmetic(node.op, a, b, node);
        }
      }
      case 'logical': {
        const left = truth(this.run(node.left), node.left);
        if (node.op === 'and' ? !left : left) return left;
        return truth(this.run(node.right), node.right);
      }
      case 'conditional':
        return truth(this.run(node.test), node.test) ? this.run(node.then) : this.run(node.else);
      case 'list':
        return node.items.map((item) => this.run(item));
      case 'call':
        return this.call(node);
    }
  }

  private member(obj: Value, key: string, node: ExprNode): Value {
    if (obj === null) return null;
    if (Array.isArray(obj)) {
      // A column of a list of records: lines.amount is the list of every row's amount.
      return obj.map((row) => {
        const r = convert(row, node);
        if (r === null) return null;
        if (!isRecord(r)) return fail(node, `Cannot read "${key}" of ${describe(r)}`);
        return member(r, key);
      });
    }
    if (isRecord(obj)) {
      try {
        return member(obj, key);
      } catch (err) {
        throw new ExpressionError('value', `The value is not usable: ${(err as Error).message}`, node.start, node.end);
      }
    }
    return fail(node, `Cannot read "${key}" of ${describe(obj)}`);
  }

  private call(node: Extract<ExprNode, { kind: 'call' }>): Value {
    const spec = FUNCTIONS.get(node.fn);
    if (!spec) throw new ExpressionError('unknown-function', `Unknown function ${node.fn}`, node.start, node.end);
    if (node.args.length < spec.min || node.args.length > spec.max) {
      throw new ExpressionError('arity', arityMessage(node.fn, spec.min, spec.max, node.args.length), node.start, node.end);
    }
    try {
      const result = spec.runLazy ? spec.runLazy(node.args.map((a) => () => this.run(a)), this.ctx) : spec.run!(node.args.map((a) => this.run(a)), this.ctx);
      if (typeof result === 'string' && result.length > MAX_TEXT) throw new ArgProblem(null, `the text would be longer than ${MAX_TEXT} characters`, 'limit');
      return result;
    } catch (err) {
      if (!(err instanceof ArgProblem)) throw err;
      const at = err.index === null ? node : (node.args[err.index] ?? node);
      throw new ExpressionError(err.code, `${node.fn}: ${err.message}`, at.start, at.end);
    }
  }
}

export function arityMessage(fn: string, min: number, max: number, got: number): string {
  const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  return `${fn} takes ${want} argument${want === '1' ? '' : 's'}, not ${got}`;
}

/** Evaluate a parsed expression. Numbers come back as decimals (`Num`). */
export function evaluateNode(node: ExprNode, scope: Scope, options: EvaluateOptions = {}): Value {
  const ctx: FunctionContext = { now: options.now ?? new Date(), timeZone: options.timeZone ?? 'UTC' };
  return new Evaluator(scope, ctx).run(node);
}

/** A result as the caller's test of a condition: true is true; false and empty are false; anything else is an error. */
export function asCondition(v: Value, node: ExprNode): boolean {
  return truth(v, node);
}
