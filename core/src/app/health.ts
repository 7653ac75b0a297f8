import type Router from '@koa/router';
import type { Database } from '../data/database';

const READY_TIMEOUT_MS = 2_000;

export function healthRoutes(router: Router, db: Database, version: string): void {
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', version };
  });
  router.get('/readyz', async (ctx) => {
    const started = Date.now();
    try {
      await Promise.race([db.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS).unref())]);
      ctx.body = { status: 'ready', database: { kind: db.dialect.kind, ms: Date.now() - started } };
    } catch {
      ctx.status = 503;
      ctx.type = 'application/problem+json';
      ctx.body = { type: 'urn:plinth:problem:not-ready', title: 'Service Unavailable', status: 503, code: 'not-ready', detail: 'The database does not answer' };
    }
  });
}
