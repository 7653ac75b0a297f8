/** Why an expression was refused or failed. */
export type ExpressionErrorCode =
  /** Not valid syntax, or syntax the language does not have (`this`, `a.b()`, bitwise operators…). */
  | 'syntax'
  /** Too long, too deep, too many nodes, or a result too large. */
  | 'limit'
  /** A name that is not a field/variable, or a member that does not exist. */
  | 'unknown-name'
  /** A function that is not in the language. */
  | 'unknown-function'
  /** Wrong number of arguments. */
  | 'arity'
  /** An operator or function applied to a value of the wrong type. */
  | 'type'
  | 'division-by-zero'
  /** A value that cannot be used (not a number, an invalid date…). */
  | 'value';

/**
 * An error in an expression: what went wrong and where (`start`/`end` are offsets into the
 * source, 0-based; `end` is exclusive). The message ends with the 1-based column.
 */
export class ExpressionError extends Error {
  constructor(
    readonly code: ExpressionErrorCode,
    readonly detail: string,
    readonly start: number,
    readonly end: number = start,
  ) {
    super(`${detail} (at ${start + 1})`);
    this.name = 'ExpressionError';
  }
}
