/**
 * Errors a plugin (or the core) throws to give the caller a clear, machine-readable
 * answer. The core turns them into RFC 9457 problem+json responses.
 */
export interface FieldError {
  /** Field path: `email`, `create[3].phone`, `filter.city`. */
  field: string;
  /** The rule that failed: required, type, maxLength, pattern, enum, unique, reference… */
  rule: string;
  message: string;
  /** Ids of the records that break the rule, when a change is refused because of existing data. */
  records?: readonly number[];
}

export class PlinthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the input breaks one or more rules. */
export class ValidationError extends PlinthError {
  constructor(errors: readonly FieldError[], message = 'The request has invalid fields') {
    super(400, 'validation', message, errors);
  }
}

/** 404: no such record (or not visible to the caller). */
export class NotFoundError extends PlinthError {
  constructor(message = 'Not found') {
    super(404, 'not-found', message);
  }
}

/** 409: a unique value is taken, or the record changed since the caller read it. */
export class ConflictError extends PlinthError {
  constructor(code: 'unique' | 'stale-version' | 'in-use' | 'conflict', message: string, errors: readonly FieldError[] = []) {
    super(409, code, message, errors);
  }
}

/** 403: the caller may not do this. */
export class ForbiddenError extends PlinthError {
  constructor(message = 'Forbidden', errors: readonly FieldError[] = []) {
    super(403, 'forbidden', message, errors);
  }
}
