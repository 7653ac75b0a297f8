import { ExpressionError } from './errors';
import { ArgProblem, FUNCTIONS } from './functions';
import { arityMessage } from './evaluate';
import type { ExprNode } from './parser';
import {
  assignable,
  comparable,
  describeType,
  equatable,
  isBooleanish,
  isList,
  isNumeric,
  isRecordType,
  unify,
  type ExprType,
} from './types';

/** The names an expression may use and their types. `undefined`: any name, of unknown type. */
export type TypeEnv = Readonly<Record<string, ExprType>> | undefined;

export interface CheckResult {
  /** The type of the result. */
  type: ExprType;
  /** Every name path read: `["days"]`, `["lines", "amount"]`, `["initiator", "department"]`. */
  references: string[][];
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

export function suggest(name: string, known: Iterable<string>): string {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best ? `; did you mean "${best}"?` : '';
}

function pathOf(node: ExprNode): string[] | null {
  if (node.kind === 'name') return [node.name];
  if (node.kind === 'member') {
    const p = pathOf(node.object);
    return p ? [...p, node.property] : null;
  }
  if (node.kind === 'index') return pathOf(node.object);
  return null;
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

class Checker {
  readonly references: string[][] = [];

  constructor(private readonly env: TypeEnv) {}

  private error(node: ExprNode, message: string, code: 'type' | 'unknown-name' = 'type'): never {
    throw new ExpressionError(code, message, node.start, node.end);
  }

  check(node: ExprNode, inPath = false): ExprType {
    if (!inPath) {
      const path = pathOf(node);
      if (path) this.references.push(path);
    }
    switch (node.kind) {
      case 'number':
        return 'number';
      case 'string':
        return 'string';
      case 'constant':
        return node.value === null ? 'null' : 'boolean';
      case 'name': {
        if (!this.env) return 'any';
        if (!has(this.env, node.name)) this.error(node, `Unknown name "${node.name}"${suggest(node.name, Object.keys(this.env))}`, 'unknown-name');
        return this.env[node.name];
      }
      case 'member': {
        const obj = this.check(node.object, true);
        return this.memberType(obj, node.property, node);
      }
      case 'index': {
        const obj = this.check(node.object, true);
        const key = this.check(node.index);
        if (obj === 'null') return 'null';
        if (isList(obj)) {
          if (!isNumeric(key)) this.error(node.index, `A list is indexed by a whole number, not ${describeType(key)}`);
          return obj.list;
        }
        if (isRecordType(obj) && node.index.kind === 'string') return this.memberType(obj, node.index.value, node);
        if (obj === 'any') return 'any';
        return this.error(node, `Cannot index ${describeType(obj)}`);
      }
      case 'unary': {
        const t = this.check(node.arg);
        if (node.op === 'not') {
          if (!isBooleanish(t)) this.error(node.arg, `"not" needs true/false, not ${describeType(t)} (write "not (a > b)" or "a <= b")`);
          return 'boolean';
        }
        if (!isNumeric(t)) this.error(node.arg, `"${node.op}" needs a number, not ${describeType(t)}`);
        return 'number';
      }
      case 'binary': {
        const a = this.check(node.left);
        const b = this.check(node.right);
        switch (node.op) {
          case '==':
          case '!=':
            if (!equatable(a, b)) this.error(node, `Comparing ${describeType(a)} with ${describeType(b)} is never equal`);
            return 'boolean';
          case '<':
          case '<=':
          case '>':
          case '>=':
            if (!comparable(a, b)) this.error(node, `Cannot compare ${describeType(a)} with ${describeType(b)}`);
            return 'boolean';
          default: {
            const bad = !isNumeric(a) ? node.left : !isNumeric(b) ? node.right : null;
            if (bad) {
              const t = bad === node.left ? a : b;
              const hint = node.op === '+' && t === 'string' ? ' (use CONCAT to join text)' : node.op === '-' && (t === 'date' || t === 'datetime') ? ' (use DAYS(end, start))' : '';
              this.error(bad, `"${node.op}" needs numbers, not ${describeType(t)}${hint}`);
            }
            return 'number';
          }
        }
      }
      case 'logical': {
        for (const side of [node.left, node.right]) {
          const t = this.check(side);
          if (!isBooleanish(t)) this.error(side, `"${node.op}" needs true/false on both sides, not ${describeType(t)}`);
        }
        return 'boolean';
      }
      case 'conditional': {
        const t = this.check(node.test);
        if (!isBooleanish(t)) this.error(node.test, `The condition before "?" must be true/false, not ${describeType(t)}`);
        return unify(this.check(node.then), this.check(node.else));
      }
      case 'list': {
        const types = node.items.map((i) => this.check(i));
        return { list: types.length ? types.reduce(unify) : 'any' };
      }
      case 'call': {
        const spec = FUNCTIONS.get(node.fn);
        if (!spec) throw new ExpressionError('unknown-function', `Unknown function ${node.fn}${suggest(node.fn, FUNCTIONS.keys())}`, node.start, node.end);
        if (node.args.length < spec.min || node.args.length > spec.max) {
          throw new ExpressionError('arity', arityMessage(node.fn, spec.min, spec.max, node.args.length), node.start, node.end);
        }
        const args = node.args.map((a) => this.check(a));
        try {
          return spec.type(args);
        } catch (err) {
          if (!(err instanceof ArgProblem)) throw err;
          const at = err.index === null ? node : (node.args[err.index] ?? node);
          throw new ExpressionError(err.code, `${node.fn}: ${err.message}`, at.start, at.end);
        }
      }
    }
  }

  private memberType(obj: ExprType, property: string, node: ExprNode): ExprType {
    if (obj === 'any' || obj === 'null') return obj;
    if (isRecordType(obj)) {
      if (!has(obj.record, property)) this.error(node, `No field "${property}"${suggest(property, Object.keys(obj.record))}`, 'unknown-name');
      return obj.record[property];
    }
    if (isList(obj)) return { list: this.memberType(obj.list, property, node) };
    return this.error(node, `Cannot read "${property}" of ${describeType(obj)}`);
  }
}

/** Check names and types; throws the first ExpressionError found. */
export function checkNode(node: ExprNode, env: TypeEnv): CheckResult {
  const checker = new Checker(env);
  const type = checker.check(node);
  return { type, references: checker.references };
}

/** Throw unless the expression's result fits `expected` (e.g. a money formula must be a number). */
export function expectType(node: ExprNode, actual: ExprType, expected: ExprType, what: string): void {
  if (!assignable(actual, expected)) throw new ExpressionError('type', `${what} must give ${describeType(expected)}, but gives ${describeType(actual)}`, node.start, node.end);
}
