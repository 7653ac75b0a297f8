import type { Context } from 'koa';
import { ValidationError } from '@plinth/sdk';
import type { Notifications } from '../../notify';
import { dateTimeIn } from '../display';
import { pageUserOf } from '../session';
import type { Workspace } from '../workspace';

const PAGE_SIZE = 20;
const FLOW_KINDS = new Set(['flow.task', 'flow.urge', 'flow.notify', 'flow.assist', 'flow.returned', 'flow.warning', 'flow.overdue', 'flow.completed', 'flow.rejected', 'flow.cancelled']);

/** The message-catalogue key that names a notification's kind in the reader's language. */
export function kindKey(kind: string): string {
  if (FLOW_KINDS.has(kind)) return `messages.kind.${kind}`;
  if (kind.startsWith('script:')) return 'messages.kind.script';
  return kind === 'system' ? 'messages.kind.system' : 'messages.kind.message';
}

function pageNumber(raw: unknown): number {
  if (raw === undefined) return 1;
  if (typeof raw !== 'string' || !/^[1-9]\d{0,5}$/.test(raw)) throw new ValidationError([{ field: 'page', rule: 'range', message: 'page is a positive integer' }]);
  return Number(raw);
}

/** The messages page (站内消息): the viewer's notifications, newest first; open one, mark read, mark all read. */
export async function messagesPage(ctx: Context, ws: Workspace, notifications: Notifications): Promise<void> {
  const { actor } = pageUserOf(ctx);
  const unreadOnly = ctx.query.unread === '1';
  const page = pageNumber(ctx.query.page);
  const list = await notifications.list(actor.userId!, { unread: unreadOnly, page, limit: PAGE_SIZE });
  const base = unreadOnly ? '/messages?unread=1&' : '/messages?';
  const title = await ws.t(ctx, 'messages.title');
  await ws.send(ctx, {
    page: 'messages',
    title,
    crumbs: [{ label: title }],
    scripts: ['js/messages.js'],
    messages: ['messages.'],
    data: {
      unreadOnly,
      unread: list.unread,
      items: list.data.map((n) => ({ ...n, kindKey: kindKey(n.kind), at: dateTimeIn(n.createdAt, ws.deps.timeZone()) })),
      prev: page > 1 ? `${base}page=${page - 1}` : null,
      next: page * PAGE_SIZE < list.total ? `${base}page=${page + 1}` : null,
    },
  });
}
