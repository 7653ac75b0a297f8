import type { Context, Next } from 'koa';
import getRawBody from 'raw-body';
import { HttpError } from './errors';

const JSON_TYPE = /^application\/([a-z.+-]*\+)?json$/i;

/**
 * Parse JSON request bodies with a size limit. Bodies of other types are refused with
 * 415, oversized ones with 413, malformed JSON with 400 — before any handler runs.
 */
export function jsonBody(limit: number, streamed: (ctx: Context) => boolean = () => false) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const method = ctx.method;
    if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH' && method !== 'DELETE') return next();
    // Uploads: the route reads the body itself, as a stream with its own limit.
    if (streamed(ctx)) return next();
    const length = ctx.request.length;
    const hasBody = (length !== undefined && length > 0) || ctx.get('transfer-encoding') !== '';
    if (!hasBody) return next();
    const type = (ctx.get('content-type').split(';')[0] ?? '').trim();
    if (!JSON_TYPE.test(type)) throw new HttpError(415, 'unsupported-media-type', `Send the body as application/json (got ${type || 'no content type'})`);
    if (length !== undefined && length > limit) throw new HttpError(413, 'too-large', `The body is larger than the limit of ${limit} bytes`);
    let text: string;
    try {
      text = await getRawBody(ctx.req, { limit, length, encoding: 'utf8' });
    } catch (err) {
      if ((err as { type?: string }).type === 'entity.too.large') throw new HttpError(413, 'too-large', `The body is larger than the limit of ${limit} bytes`);
      throw new HttpError(400, 'bad-body', 'The body could not be read');
    }
    try {
      ctx.request.body = text.length ? JSON.parse(text) : undefined;
    } catch {
      throw new HttpError(400, 'invalid-json', 'The body is not valid JSON', [{ field: '(body)', rule: 'json', message: 'The body is not valid JSON' }]);
    }
    return next();
  };
}

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
