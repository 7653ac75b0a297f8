import { NotFoundError, ValidationError, type Actor, type NotificationReceipt, type Notifier } from '@plinth/sdk';
import type { Executor, Row } from '../data/database';
import { fromDbDateTime, nowDb, toDbDateTime } from '../data/codec';
import { KIND, MAX_BODY, MAX_KIND, MAX_TITLE, checkMessage, isSafeLink, type CheckedMessage } from './message';

/** A notification as its recipient reads it. */
export interface NotificationItem {
  id: number;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  sender: number | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  data: NotificationItem[];
  page: number;
  limit: number;
  total: number;
  unread: number;
}

/** Turns recipients (users, roles, departments) into the ids of active users, inside the sender's transaction. */
export type RecipientResolver = (db: Executor, recipients: CheckedMessage['recipients']) => Promise<number[]>;

/** What is sent with a message besides its text: its kind and who sent it (null: the system). */
export interface Origin {
  kind: string;
  sender: number | null;
}

const ROWS_PER_INSERT = 500;
const MAX_LIMIT = 100;

const item = (r: Row): NotificationItem => ({
  id: Number(r.id),
  kind: String(r.kind),
  title: String(r.title),
  body: (r.body as string | null) ?? null,
  link: (r.link as string | null) ?? null,
  sender: r.sender_id === null || r.sender_id === undefined ? null : Number(r.sender_id),
  createdAt: fromDbDateTime(r.created_at) ?? '',
  readAt: fromDbDateTime(r.read_at),
});

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * In-app notifications (站内消息). A send writes one row per recipient through the
 * executor it is given — inside the caller's transaction when there is one, so a rolled-back
 * write notifies nobody — and tells the `changed` listeners who got something once it
 * committed (the live stream and the other nodes). Every read and change is by recipient:
 * a user only ever sees and marks their own.
 */
export class Notifications {
  private readonly listeners = new Set<(users: readonly number[]) => void>();

  constructor(
    private readonly db: Executor,
    private readonly resolve: RecipientResolver,
  ) {}

  /** Called after a commit with the users whose notifications changed (new, or read). */
  onChange(fn: (users: readonly number[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(db: Executor, users: readonly number[]): void {
    if (!users.length) return;
    db.afterCommit(() => {
      for (const fn of this.listeners) fn(users);
    });
  }

  /** Check a message, resolve its recipients to active users and write it for each of them. */
  async send(db: Executor, message: unknown, origin: Origin): Promise<NotificationReceipt> {
    const checked = checkMessage(message);
    if (!KIND.test(origin.kind) || origin.kind.length > MAX_KIND) throw new ValidationError([{ field: 'kind', rule: 'pattern', message: `A notification kind matches ${KIND}` }]);
    const users = await this.resolve(db, checked.recipients);
    await this.write(db, users, checked, origin);
    return { recipients: users.length };
  }

  /**
   * Write a message the platform composed for users it already resolved (flow tasks,
   * urging…): over-long text is shortened rather than refused, an unsafe link dropped.
   */
  async deliver(db: Executor, users: readonly number[], text: { title: string; body?: string | null; link?: string | null }, origin: Origin): Promise<void> {
    const unique = [...new Set(users)].filter((u) => Number.isSafeInteger(u) && u > 0);
    const link = text.link && isSafeLink(text.link) ? text.link : null;
    await this.write(db, unique, { recipients: { users: unique, roles: [], departments: [] }, title: clip(text.title.trim() || '—', MAX_TITLE), body: text.body ? clip(text.body, MAX_BODY) : null, link }, origin);
  }

  private async write(db: Executor, users: readonly number[], m: CheckedMessage, origin: Origin): Promise<void> {
    if (!users.length) return;
    const at = nowDb();
    for (let i = 0; i < users.length; i += ROWS_PER_INSERT) {
      const chunk = users.slice(i, i + ROWS_PER_INSERT);
      await db.run(
        `INSERT INTO plinth_notifications (recipient_id, kind, title, body, link, sender_id, created_at) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((u) => [u, origin.kind, m.title, m.body, m.link, origin.sender, at]),
      );
    }
    this.changed(db, users);
  }

  /** A `Notifier` for plugin code: sends as `actor` (kind `message`, or `system` without a user), through `db`. */
  notifier(actor: Actor, db: Executor = this.db): Notifier {
    return { send: (message, options) => this.send(db, message, { kind: options?.kind ?? (actor.userId ? 'message' : 'system'), sender: actor.userId }) };
  }

  async unreadCount(userId: number): Promise<number> {
    const [row] = await this.db.all<{ n: number | string }>('SELECT COUNT(*) AS n FROM plinth_notifications WHERE recipient_id = ? AND read_at IS NULL', [userId]);
    return Number(row?.n ?? 0);
  }

  /** Unread counts and newest unread ids of several users at once (the live stream's refresh). */
  async states(userIds: readonly number[]): Promise<Map<number, { unread: number; newest: number }>> {
    const out = new Map<number, { unread: number; newest: number }>();
    for (const id of userIds) out.set(id, { unread: 0, newest: 0 });
    for (let i = 0; i < userIds.length; i += ROWS_PER_INSERT) {
      const chunk = userIds.slice(i, i + ROWS_PER_INSERT);
      const rows = await this.db.all<{ recipient_id: number | string; n: number | string; newest: number | string | null }>(
        `SELECT recipient_id, COUNT(*) AS n, MAX(id) AS newest FROM plinth_notifications WHERE recipient_id IN (${chunk.map(() => '?').join(', ')}) AND read_at IS NULL GROUP BY recipient_id`,
        chunk,
      );
      for (const r of rows) out.set(Number(r.recipient_id), { unread: Number(r.n), newest: Number(r.newest ?? 0) });
    }
    return out;
  }

  async get(userId: number, id: number): Promise<NotificationItem> {
    const [row] = await this.db.all('SELECT * FROM plinth_notifications WHERE id = ? AND recipient_id = ?', [id, userId]);
    if (!row) throw new NotFoundError(`No notification ${id}`);
    return item(row);
  }

  /** The user's notifications, newest first, a page at a time; only unread ones when asked. */
  async list(userId: number, options: { unread?: boolean; page?: number; limit?: number } = {}): Promise<NotificationPage> {
    const limit = Math.min(Math.max(options.limit ?? 20, 1), MAX_LIMIT);
    const page = Math.max(options.page ?? 1, 1);
    const where = `recipient_id = ?${options.unread ? ' AND read_at IS NULL' : ''}`;
    const [rows, [total], unread] = await Promise.all([
      this.db.all(`SELECT * FROM plinth_notifications WHERE ${where} ORDER BY id DESC LIMIT ? OFFSET ?`, [userId, limit, (page - 1) * limit]),
      this.db.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM plinth_notifications WHERE ${where}`, [userId]),
      this.unreadCount(userId),
    ]);
    return { data: rows.map(item), page, limit, total: Number(total?.n ?? 0), unread };
  }

  /** Mark one of the user's notifications read (again is harmless); 404 for anyone else's. */
  async markRead(userId: number, id: number): Promise<NotificationItem> {
    const res = await this.db.run('UPDATE plinth_notifications SET read_at = ? WHERE id = ? AND recipient_id = ? AND read_at IS NULL', [nowDb(), id, userId]);
    const found = await this.get(userId, id);
    if (res.affectedRows) this.changed(this.db, [userId]);
    return found;
  }

  /** Mark all of the user's notifications read; returns how many were unread. */
  async markAllRead(userId: number): Promise<number> {
    const res = await this.db.run('UPDATE plinth_notifications SET read_at = ? WHERE recipient_id = ? AND read_at IS NULL', [nowDb(), userId]);
    if (res.affectedRows) this.changed(this.db, [userId]);
    return res.affectedRows;
  }

  /** Delete read notifications older than `days` (unread ones stay until read). */
  async purgeRead(days: number, now = new Date()): Promise<number> {
    const before = toDbDateTime(new Date(now.getTime() - days * 86_400_000).toISOString());
    return (await this.db.run('DELETE FROM plinth_notifications WHERE read_at IS NOT NULL AND read_at < ?', [before])).affectedRows;
  }
}
