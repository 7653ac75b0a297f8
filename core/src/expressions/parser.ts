import jsep from 'jsep';
import { ExpressionError } from './errors';

/**
 * The syntax tree of an expression. Only what the language has: literals, names, member
 * and index access, the whitelisted operators, the conditional, calls of named functions
 * and list literals. Every node knows where it is in the source.
 */
export type ExprNode =
  | { kind: 'number'; raw: string; start: number; end: number }
  | { kind: 'string'; value: string; start: number; end: number }
  | { kind: 'constant'; value: boolean | null; start: number; end: number }
  | { kind: 'name'; name: string; start: number; end: number }
  | { kind: 'member'; object: ExprNode; property: string; start: number; end: number }
  | { kind: 'index'; object: ExprNode; index: ExprNode; start: number; end: number }
  | { kind: 'unary'; op: '-' | '+' | 'not'; arg: ExprNode; start: number; end: number }
  | { kind: 'binary'; op: BinaryOp; left: ExprNode; right: ExprNode; start: number; end: number }
  | { kind: 'logical'; op: 'and' | 'or'; left: ExprNode; right: ExprNode; start: number; end: number }
  | { kind: 'conditional'; test: ExprNode; then: ExprNode; else: ExprNode; start: number; end: number }
  | { kind: 'call'; fn: string; args: ExprNode[]; start: number; end: number }
  | { kind: 'list'; items: ExprNode[]; start: number; end: number };

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface ExpressionLimits {
  /** Characters. Default 4,000. */
  maxLength?: number;
  /** Nesting depth of the tree. Default 40. */
  maxDepth?: number;
  /** Nodes in the tree. Default 1,000. */
  maxNodes?: number;
}

export const DEFAULT_LIMITS: Required<ExpressionLimits> = { maxLength: 4000, maxDepth: 40, maxNodes: 1000 };

/** Names that could reach an object's prototype machinery: refused anywhere in an expression. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

const BINARY: Record<string, BinaryOp | 'and' | 'or'> = {
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%',
  '==': '==', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  '&&': 'and', '||': 'or', and: 'and', or: 'or', AND: 'and', OR: 'or',
};
const UNARY: Record<string, '-' | '+' | 'not'> = { '-': '-', '+': '+', '!': 'not', not: 'not', NOT: 'not' };
const HINTS: Record<string, string> = {
  '===': 'use ==',
  '!==': 'use !=',
  '&': 'use CONCAT() to join text, "and" for logic',
  '|': 'use "or"',
  '??': 'use COALESCE()',
};

// jsep's operator tables are process-wide; the word operators are added once here.
jsep.addBinaryOp('or', 1);
jsep.addBinaryOp('OR', 1);
jsep.addBinaryOp('and', 2);
jsep.addBinaryOp('AND', 2);
jsep.addUnaryOp('not');
jsep.addUnaryOp('NOT');

type Ranged = jsep.Expression & { __start?: number; __end?: number };
/** The parser instance a hook runs on, with the start positions of the tokens being read. */
type Scope = jsep.HookScope & { __starts?: number[] };

// jsep's nodes carry no positions: record where each token starts and ends. Numeric
// literals skip jsep's after-token hook, so they are read here to keep starts and ends paired.
jsep.hooks.add('gobble-token', function (this: Scope, env) {
  (this.__starts ??= []).push(this.index);
  const ch = this.code;
  if ((ch >= 48 && ch <= 57) || (ch === 46 && this.expr.charCodeAt(this.index + 1) >= 48 && this.expr.charCodeAt(this.index + 1) <= 57)) {
    env.node = this.gobbleNumericLiteral();
  }
});
jsep.hooks.add('after-token', function (this: Scope, env) {
  const start = this.__starts?.pop();
  const node = env.node as Ranged | undefined | false;
  if (!node || start === undefined) return;
  let end = this.index;
  while (end > start && /\s/.test(this.expr[end - 1])) end--;
  node.__start ??= start;
  node.__end ??= end;
});

/**
 * Parse an expression into a tree, or throw an ExpressionError naming the position.
 * Refuses anything outside the language before it can run.
 */
export function parseExpression(source: string, limits: ExpressionLimits = {}): ExprNode {
  const { maxLength, maxDepth, maxNodes } = { ...DEFAULT_LIMITS, ...limits };
  if (typeof source !== 'string') throw new ExpressionError('syntax', 'An expression must be text', 0);
  if (source.length > maxLength) throw new ExpressionError('limit', `An expression may hold at most ${maxLength} characters`, maxLength);
  if (source.trim() === '') throw new ExpressionError('syntax', 'The expression is empty', 0);
  let tree: jsep.Expression;
  try {
    tree = jsep(source);
  } catch (err) {
    if (err instanceof RangeError) throw new ExpressionError('limit', `The expression is nested too deeply (at most ${maxDepth} levels)`, 0);
    const e = err as { index?: number; description?: string; message: string };
    const at = typeof e.index === 'number' ? e.index : 0;
    const hint = source[at] === '=' ? '; use == to compare' : '';
    throw new ExpressionError('syntax', `${e.description ?? e.message}${hint}`, at);
  }
  const state = { nodes: 0, maxDepth, maxNodes, source };
  return convert(tree as Ranged, 0, source.length, 1, state);
}

function convert(n: Ranged, parentStart: number, parentEnd: number, depth: number, state: { nodes: number; maxDepth: number; maxNodes: number; source: string }): ExprNode {
  const start = n.__start ?? parentStart;
  const end = n.__end ?? parentEnd;
  if (depth > state.maxDepth) throw new ExpressionError('limit', `The expression is nested too deeply (at most ${state.maxDepth} levels)`, start, end);
  if (++state.nodes > state.maxNodes) throw new ExpressionError('limit', `The expression is too large (at most ${state.maxNodes} parts)`, start, end);
  const sub = (child: jsep.Expression, s = start, e = end) => convert(child as Ranged, s, e, depth + 1, state);
  switch (n.type) {
    case 'Literal': {
      const lit = n as jsep.Literal;
      if (typeof lit.value === 'number') return { kind: 'number', raw: lit.raw, start, end };
      if (typeof lit.value === 'string') return { kind: 'string', value: lit.value, start, end };
      if (typeof lit.value === 'boolean' || lit.value === null) return { kind: 'constant', value: lit.value, start, end };
      throw new ExpressionError('syntax', 'Unsupported literal', start, end);
    }
    case 'Identifier': {
      const name = (n as jsep.Identifier).name;
      if (FORBIDDEN_NAMES.has(name)) throw new ExpressionError('unknown-name', `"${name}" is not allowed`, start, end);
      return { kind: 'name', name, start, end };
    }
    case 'MemberExpression': {
      const m = n as jsep.MemberExpression;
      if (m.optional) throw new ExpressionError('syntax', '"?." is not part of the language (member access of an empty value is already empty)', start, end);
      const object = sub(m.object, start, end);
      if (m.computed) return { kind: 'index', object, index: sub(m.property, object.end, end), start, end };
      const property = (m.property as jsep.Identifier).name;
      if (FORBIDDEN_NAMES.has(property)) throw new ExpressionError('unknown-name', `"${property}" is not allowed`, object.end, end);
      return { kind: 'member', object, property, start, end };
    }
    case 'CallExpression': {
      const c = n as jsep.CallExpression;
      if (c.callee.type !== 'Identifier') throw new ExpressionError('syntax', 'Only functions of the language can be called, by name: SUM(lines.amount)', start, end);
      const fn = (c.callee as jsep.Identifier).name;
      if (FORBIDDEN_NAMES.has(fn)) throw new ExpressionError('unknown-name', `"${fn}" is not allowed`, start, end);
      return { kind: 'call', fn: fn.toUpperCase(), args: c.arguments.map((a) => sub(a)), start, end };
    }
    case 'UnaryExpression': {
      const u = n as jsep.UnaryExpression;
      const op = UNARY[u.operator];
      if (!op) throw new ExpressionError('syntax', `The operator "${u.operator}" is not part of the language`, start, end);
      return { kind: 'unary', op, arg: sub(u.argument), start, end };
    }
    case 'BinaryExpression': {
      const b = n as jsep.BinaryExpression;
      const op = BINARY[b.operator];
      const left = sub(b.left);
      const right = sub(b.right);
      // A parenthesised operation carries the group's range from the token hooks.
      const range = { start: n.__start ?? left.start, end: n.__end ?? right.end };
      if (!op) {
        const hint = HINTS[b.operator];
        const at = state.source.indexOf(b.operator, left.end);
        throw new ExpressionError('syntax', `The operator "${b.operator}" is not part of the language${hint ? `; ${hint}` : ''}`, at < 0 ? left.end : at, at < 0 ? right.start : at + b.operator.length);
      }
      if (op === 'and' || op === 'or') return { kind: 'logical', op, left, right, ...range };
      return { kind: 'binary', op, left, right, ...range };
    }
    case 'ConditionalExpression': {
      const c = n as jsep.Expression & { test: jsep.Expression; consequent: jsep.Expression; alternate: jsep.Expression };
      const test = sub(c.test);
      const then = sub(c.consequent);
      const other = sub(c.alternate);
      return { kind: 'conditional', test, then, else: other, start: n.__start ?? test.start, end: n.__end ?? other.end };
    }
    case 'ArrayExpression': {
      const a = n as jsep.ArrayExpression;
      if (a.elements.some((e) => e === null)) throw new ExpressionError('syntax', 'A list cannot have empty places', start, end);
      return { kind: 'list', items: a.elements.map((e) => sub(e as jsep.Expression)), start, end };
    }
    case 'Compound':
    case 'SequenceExpression':
      throw new ExpressionError('syntax', 'One expression only (no "," or ";" between expressions)', start, end);
    case 'ThisExpression':
      throw new ExpressionError('syntax', '"this" is not part of the language', start, end);
    default:
      throw new ExpressionError('syntax', `"${n.type}" is not part of the language`, start, end);
  }
}
