import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import { PlinthError } from '@plinth/sdk';
import type { Logger } from '../app/logger';
import type { Signals } from '../cluster/signals';
import type { NotificationItem, Notifications } from './notifications';

/** The cluster signal that says "someone's notifications changed" (it carries no data). */
export const NOTIFICATIONS_TOPIC = 'notifications';
const HEARTBEAT_MS = 25_000;
/** Open streams per user (tabs, devices); one more is refused with 429. */
export const MAX_STREAMS_PER_USER = 32;
/** Announcements to the other nodes are coalesced to at most one per this many ms. */
const ANNOUNCE_EVERY_MS = 200;

interface Stream {
  out: PassThrough;
  sent: { unread: number; newest: number } | null;
}

/** What a stream's `notifications` event carries: the unread count and the newest unread one when it is new. */
export interface StreamState {
  unread: number;
  newest: NotificationItem | null;
}

/**
 * Server-Sent Events of the signed-in user's notifications: an event with the unread
 * count (and the newest unread notification when one arrived) at connection and on every
 * change. Changes made on this node are pushed once their transaction committed; other
 * nodes hear of them through the `notifications` cluster signal (Redis pub/sub, else the
 * database poll), and re-read the state of the users connected to them.
 */
export class LiveNotifications {
  private readonly streams = new Map<number, Set<Stream>>();
  private readonly heartbeat: NodeJS.Timeout;
  private announcing: Promise<void> | null = null;
  private announceAgain = false;
  private closed = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly notifications: Notifications,
    private readonly signals: Signals | null,
    private readonly log: Logger,
  ) {
    this.unsubscribe.push(
      notifications.onChange((users) => {
        void this.refresh(users.filter((u) => this.streams.has(u)));
        this.announce();
      }),
    );
    if (signals) this.unsubscribe.push(signals.on(NOTIFICATIONS_TOPIC, () => this.refresh([...this.streams.keys()])));
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Streams open now (all users). */
  get open(): number {
    let n = 0;
    for (const set of this.streams.values()) n += set.size;
    return n;
  }

  /** Answer a request with the user's event stream; it lasts until the client goes away or the node stops. */
  async serve(ctx: Context, userId: number): Promise<void> {
    if (this.closed) throw new PlinthError(503, 'unavailable', 'The server is stopping');
    const set = this.streams.get(userId) ?? new Set<Stream>();
    if (set.size >= MAX_STREAMS_PER_USER) throw new PlinthError(429, 'too-many-streams', `At most ${MAX_STREAMS_PER_USER} notification streams per user`);
    const stream: Stream = { out: new PassThrough(), sent: null };
    set.add(stream);
    this.streams.set(userId, set);
    const drop = () => {
      set.delete(stream);
      if (!set.size && this.streams.get(userId) === set) this.streams.delete(userId);
      stream.out.end();
    };
    ctx.req.on('close', drop);
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.status = 200;
    ctx.set('Content-Type', 'text/event-stream; charset=utf-8');
    ctx.set('Cache-Control', 'no-cache, no-transform');
    ctx.set('X-Accel-Buffering', 'no');
    ctx.body = stream.out;
    stream.out.write('retry: 3000\n\n');
    await this.push(userId, [stream]);
  }

  /** Re-read the state of these users and send it to their streams where it changed. */
  async refresh(users: readonly number[]): Promise<void> {
    if (!users.length || this.closed) return;
    try {
      const states = await this.notifications.states(users);
      for (const [user, state] of states) {
        const open = [...(this.streams.get(user) ?? [])].filter((s) => !s.sent || s.sent.unread !== state.unread || s.sent.newest !== state.newest);
        if (open.length) await this.send(user, open, state);
      }
    } catch (err) {
      this.log.warn({ err: { message: (err as Error).message } }, 'notification streams could not be refreshed');
    }
  }

  private async push(user: number, streams: Stream[]): Promise<void> {
    const [state] = (await this.notifications.states([user])).values();
    await this.send(user, streams, state);
  }

  private async send(user: number, streams: Stream[], state: { unread: number; newest: number }): Promise<void> {
    const fresh = streams.some((s) => state.newest > (s.sent?.newest ?? 0));
    const newest = fresh && state.newest ? await this.notifications.get(user, state.newest).catch(() => null) : null;
    for (const s of streams) {
      const event: StreamState = { unread: state.unread, newest: newest && state.newest > (s.sent?.newest ?? 0) ? newest : null };
      s.sent = { ...state };
      s.out.write(`event: notifications\ndata: ${JSON.stringify(event)}\n\n`);
    }
  }

  /** Tell the other nodes, coalescing bursts (one flow action may notify many users). */
  private announce(): void {
    if (!this.signals || this.closed) return;
    if (this.announcing) {
      this.announceAgain = true;
      return;
    }
    const signals = this.signals;
    this.announcing = (async () => {
      do {
        this.announceAgain = false;
        await signals.publish(NOTIFICATIONS_TOPIC).catch((err: Error) => this.log.warn({ err: { message: err.message } }, 'could not announce notifications'));
        await new Promise((r) => setTimeout(r, ANNOUNCE_EVERY_MS).unref());
      } while (this.announceAgain && !this.closed);
    })().finally(() => {
      this.announcing = null;
    });
  }

  private beat(): void {
    for (const set of this.streams.values()) for (const s of set) s.out.write(': keep-alive\n\n');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const fn of this.unsubscribe) fn();
    for (const set of this.streams.values()) for (const s of set) s.out.end();
    this.streams.clear();
    await this.announcing;
  }
}
