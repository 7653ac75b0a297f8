import { randomUUID } from 'node:crypto';
import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import type { Logger } from './logger';
import { errorHandler } from './errors';
import { jsonBody } from './body';
import { JsonText } from '../data/rendered';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Give every request an id (kept from X-Request-Id when sane) and log one line when it ends. */
export function requestLog(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const start = process.hrtime.bigint();
    const given = ctx.get('x-request-id');
    const id = REQUEST_ID.test(given) ? given : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    try {
      await next();
    } finally {
      if (log.isLevelEnabled('info')) {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        const actor = ctx.state.actor as { userId?: number } | undefined;
        log.info({ requestId: id, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 100) / 100, user: actor?.userId, ip: ctx.ip }, 'request');
      }
    }
  };
}

export async function securityHeaders(ctx: Context, next: Next): Promise<void> {
  await next();
  ctx.set('X-Content-Type-Options', 'nosniff');
  if (!ctx.response.get('Referrer-Policy')) ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
  // Workspace pages set their own policy (render/routes.ts).
  if (ctx.response.get('Content-Security-Policy')) return;
  if (ctx.path.startsWith('/api/docs')) {
    ctx.set('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
  } else {
    ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  }
}

/**
 * Serialise JSON bodies once, into the bytes sent. Koa would stringify, then measure the
 * string's UTF-8 length for Content-Length, then encode it again when writing: on a list
 * page of Chinese text that is a sizeable share of the request. Plain objects and arrays,
 * and JsonText (JSON the database rendered) as it is; streams, buffers, strings and anything
 * else stay Koa's.
 */
export async function jsonResponse(ctx: Context, next: Next): Promise<void> {
  await next();
  const body: unknown = ctx.body;
  if (body instanceof JsonText) {
    ctx.body = body.toBuffer();
    ctx.type = 'application/json';
    return;
  }
  if (body === null || typeof body !== 'object' || ctx.method === 'HEAD') return;
  const proto = Object.getPrototypeOf(body) as unknown;
  if (!Array.isArray(body) && proto !== Object.prototype && proto !== null) return;
  // The type is already set (Koa sets JSON when the object was assigned); assigning a Buffer keeps it.
  ctx.body = Buffer.from(JSON.stringify(body));
}

export interface HttpParts {
  log: Logger;
  bodyLimit: number;
  /** Routes outside /api/v1: health, docs. */
  root: Router;
  /** Routes under /api/v1. */
  api: Router;
  /** Called after a 403 answer (permission denials go to the operation log). */
  onDenied?: Parameters<typeof errorHandler>[1];
  /** Honour X-Forwarded-* from one proxy hop (client address = the last X-Forwarded-For entry). */
  trustProxy?: boolean;
  /** Requests whose body their route streams itself (uploads), skipped by the JSON body parser. */
  streamed?: (ctx: Context) => boolean;
}

export function createHttpApp({ log, bodyLimit, root, api, onDenied, trustProxy, streamed }: HttpParts): Koa {
  const app = new Koa();
  app.proxy = trustProxy ?? process.env.TRUST_PROXY === 'true';
  // Only the entry our own proxy appended counts: earlier ones are whatever the client sent.
  app.maxIpsCount = 1;
  app.silent = true;
  app.use(requestLog(log));
  app.use(securityHeaders);
  app.use(jsonResponse);
  app.use(errorHandler(log, onDenied));
  app.use(jsonBody(bodyLimit, streamed));
  app.use(root.routes());
  app.use(root.allowedMethods());
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: false }));
  return app;
}
