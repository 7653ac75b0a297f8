import type Router from '@koa/router';
import type { Actor } from '@plinth/sdk';
import type { RecordStore } from '../services/records';
import { queryAuditLog } from '../audit/query';

export { AUDIT_LOG_RESOURCE } from '../audit/query';

/**
 * GET /api/v1/audit — the operation log, newest first, filtered by entity, record, user,
 * action, request id and time; `before=<id>` pages back. Reading it is itself a grant.
 */
export function auditRoutes(router: Router, store: () => RecordStore): void {
  router.get('/audit', async (ctx) => {
    ctx.body = await queryAuditLog(store(), ctx.state.actor as Actor, ctx.query);
  });
}
