import type Router from '@koa/router';
import { ForbiddenError, ValidationError, type Actor, type FieldError } from '@plinth/sdk';
import type { Notifications } from '../notify/notifications';
import type { LiveNotifications } from '../notify/live';

const userOf = (ctx: { state: Record<string, unknown> }): number => {
  const actor = ctx.state.actor as Actor;
  if (!actor.userId) throw new ForbiddenError('Notifications belong to users; this caller is not one');
  return actor.userId;
};

function listOptions(query: Record<string, unknown>): { unread: boolean; page: number; limit: number } {
  const errors: FieldError[] = [];
  const one = (k: string) => (Array.isArray(query[k]) ? undefined : (query[k] as string | undefined));
  const unread = one('unread');
  if (unread !== undefined && !['0', '1', 'true', 'false'].includes(unread)) errors.push({ field: 'unread', rule: 'type', message: 'unread is 1 or 0' });
  const int = (k: string, max: number, fallback: number) => {
    const v = one(k);
    if (v === undefined) return fallback;
    if (!/^[1-9]\d{0,6}$/.test(v) || Number(v) > max) {
      errors.push({ field: k, rule: 'range', message: `${k} is an integer from 1 to ${max}` });
      return fallback;
    }
    return Number(v);
  };
  const page = int('page', 1_000_000, 1);
  const limit = int('limit', 100, 20);
  for (const k of Object.keys(query)) if (!['unread', 'page', 'limit'].includes(k)) errors.push({ field: k, rule: 'unknown', message: `Unknown parameter ${k}` });
  if (errors.length) throw new ValidationError(errors);
  return { unread: unread === '1' || unread === 'true', page, limit };
}

function id(raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw)) throw new ValidationError([{ field: 'id', rule: 'type', message: 'id must be a positive integer' }]);
  return Number(raw);
}

/** The signed-in user's own notifications: list, count, live stream, mark read. */
export function notificationRoutes(router: Router, notifications: () => Notifications, live: () => LiveNotifications): void {
  router.get('/me/notifications', async (ctx) => {
    ctx.body = await notifications().list(userOf(ctx), listOptions(ctx.query));
  });
  router.get('/me/notifications/count', async (ctx) => {
    ctx.body = { unread: await notifications().unreadCount(userOf(ctx)) };
  });
  router.get('/me/notifications/stream', async (ctx) => {
    await live().serve(ctx, userOf(ctx));
  });
  router.post('/me/notifications/read-all', async (ctx) => {
    ctx.body = { marked: await notifications().markAllRead(userOf(ctx)) };
  });
  router.get('/me/notifications/:id', async (ctx) => {
    ctx.body = await notifications().get(userOf(ctx), id(ctx.params.id));
  });
  router.post('/me/notifications/:id/read', async (ctx) => {
    ctx.body = await notifications().markRead(userOf(ctx), id(ctx.params.id));
  });
}
