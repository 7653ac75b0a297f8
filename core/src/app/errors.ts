import type { Context, Next } from 'koa';
import { PlinthError, type FieldError } from '@plinth/sdk';
import type { Logger } from './logger';

export const PROBLEM_TYPE = 'application/problem+json';

/** An HTTP-level error: wrong method, body too large, wrong content type, not authenticated. */
export class HttpError extends PlinthError {}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: readonly FieldError[];
  requestId?: string;
  instance?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, code: string, detail: string, errors?: readonly FieldError[]): Problem {
  const p: Problem = { type: `urn:plinth:problem:${code}`, title: TITLES[status] ?? 'Error', status, detail, code };
  if (errors && errors.length) p.errors = errors;
  return p;
}

function send(ctx: Context, body: Problem): void {
  ctx.status = body.status;
  ctx.type = PROBLEM_TYPE;
  ctx.body = { ...body, requestId: ctx.state.requestId as string | undefined, instance: ctx.path };
}

/**
 * Turn every failure into RFC 9457 problem+json. Known errors keep their status and
 * field list; anything else is a 500 whose details go to the log only.
 */
export function errorHandler(log: Logger, onDenied?: (ctx: Context, err: PlinthError) => Promise<void>) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) send(ctx, problem(404, 'not-found', `No route for ${ctx.method} ${ctx.path}`));
      else if (ctx.status === 405 && ctx.body === undefined) send(ctx, problem(405, 'method-not-allowed', `${ctx.method} is not allowed on ${ctx.path}`));
    } catch (err) {
      if (err instanceof PlinthError) {
        send(ctx, problem(err.status, err.code, err.message, err.errors));
        if (err.status === 403 && onDenied) await onDenied(ctx, err).catch((e: unknown) => log.error({ err: String(e) }, 'could not log a denial'));
        return;
      }
      const e = err as { status?: number; expose?: boolean; message?: string; code?: string; errno?: number; sqlMessage?: string; stack?: string };
      if (e.status && e.status >= 400 && e.status < 500 && e.expose) {
        send(ctx, problem(e.status, 'http', e.message ?? 'Bad request'));
        return;
      }
      // Driver errors embed the SQL with its values: log the code and the server's message, not the statement.
      log.error({ requestId: ctx.state.requestId, err: { code: e.code, errno: e.errno, message: e.sqlMessage ?? (e.errno ? undefined : e.message), stack: e.errno ? undefined : e.stack } }, 'request failed');
      send(ctx, problem(500, 'internal', 'An unexpected error occurred; the request id identifies it in the server log'));
    }
  };
}
