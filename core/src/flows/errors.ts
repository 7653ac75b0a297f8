import { ConflictError, type FieldError } from '@plinth/sdk';
import { HttpError } from '../app/errors';

/** 422: the flow cannot go on as asked (nobody to hand a node to, no branch holds, a loop). */
export const flowStuck = (code: string, message: string, errors: readonly FieldError[] = []) => new HttpError(422, code, message, errors);

/** 409: the task was decided (or the instance moved on) before this action. */
export const alreadyDecided = (what = 'This task has already been decided') => new ConflictError('conflict', what);

/** MySQL/MariaDB deadlock or lock-wait timeout: the transaction can be run again. */
export function isRetryable(err: unknown): boolean {
  const e = err as { errno?: number; code?: string } | null;
  return !!e && (e.errno === 1213 || e.errno === 1205 || e.code === 'ER_LOCK_DEADLOCK' || e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.code === 'SQLITE_BUSY');
}
