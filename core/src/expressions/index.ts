/**
 * The safe expression language of formulas (`qty * price`, `SUM(lines.amount)`) and
 * conditions (`days > 3 and leaveType == 'sick'`), shared by custom forms and the flow
 * engine. Parsed by jsep into a whitelisted tree — no property of a JavaScript object is
 * ever reached, no code is generated or run — checked against the types of the names it
 * may use, and evaluated with decimal arithmetic. Pure code: it runs in a browser too.
 * Reference: docs/forms.md.
 */
import { ExpressionError } from './errors';
import { parseExpression, type ExpressionLimits, type ExprNode } from './parser';
import { checkNode, type TypeEnv } from './check';
import { asCondition, evaluateNode, type EvaluateOptions, type Scope } from './evaluate';
import { toPlain } from './values';
import type { ExprType } from './types';

export { ExpressionError, type ExpressionErrorCode } from './errors';
export { parseExpression, DEFAULT_LIMITS, type ExprNode, type ExpressionLimits } from './parser';
export { checkNode, expectType, suggest, type TypeEnv, type CheckResult } from './check';
export { evaluateNode, asCondition, type Scope, type EvaluateOptions } from './evaluate';
export { FUNCTIONS, chineseAmount, localDate } from './functions';
export { Num, toPlain, toValue, isNum, type Value } from './values';
export * from './types';

export interface CompiledExpression {
  readonly source: string;
  readonly node: ExprNode;
  /** The result type (`any` when compiled without an environment). */
  readonly type: ExprType;
  /** Name paths read, e.g. `[["lines", "amount"], ["days"]]`. */
  readonly references: readonly string[][];
}

/**
 * Parse and check an expression against the names it may use (`env`; omit it to allow
 * any name). Throws ExpressionError with the position of the first problem.
 */
export function compileExpression(source: string, env?: TypeEnv, limits?: ExpressionLimits): CompiledExpression {
  const node = parseExpression(source, limits);
  const { type, references } = checkNode(node, env);
  return { source, node, type, references };
}

const nodeOf = (expr: CompiledExpression | string): ExprNode => (typeof expr === 'string' ? parseExpression(expr) : expr.node);

/** Evaluate to plain JSON data (numbers as JS numbers). Throws ExpressionError. */
export function evaluate(expr: CompiledExpression | string, scope: Scope, options?: EvaluateOptions): unknown {
  return toPlain(evaluateNode(nodeOf(expr), scope, options));
}

/** Evaluate a condition: true, or false for false and empty; any other result is an ExpressionError. */
export function evaluateCondition(expr: CompiledExpression | string, scope: Scope, options?: EvaluateOptions): boolean {
  const node = nodeOf(expr);
  return asCondition(evaluateNode(node, scope, options), node);
}

/** Whether a value is an ExpressionError (for callers that catch broadly). */
export const isExpressionError = (err: unknown): err is ExpressionError => err instanceof ExpressionError;
