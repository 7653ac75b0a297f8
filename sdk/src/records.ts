import type { ListQuery, ListResult } from './query';
import type { Notifier } from './notifications';

/** A record as the API returns it: system fields plus the entity's fields. */
export type AnyRecord = { id: number; version: number } & Record<string, unknown>;

export interface UpdateOptions {
  /** The version the caller read; a stale one fails with 409. */
  version: number;
}

/** Records of one entity, through the service layer (validation, permissions, audit). */
export interface RecordService<T extends AnyRecord = AnyRecord> {
  list(query?: ListQuery): Promise<ListResult<T>>;
  get(id: number, query?: Pick<ListQuery, 'fields' | 'expand'>): Promise<T>;
  create(data: Record<string, unknown>): Promise<T>;
  createMany(rows: readonly Record<string, unknown>[]): Promise<T[]>;
  update(id: number, patch: Record<string, unknown>, options: UpdateOptions): Promise<T>;
  delete(id: number): Promise<void>;
  count(query?: Pick<ListQuery, 'filter'>): Promise<number>;
}

/** Who is acting: the user of a request, or the system (seeds, jobs). */
export interface Actor {
  userId: number | null;
  username: string;
  isAdmin: boolean;
  /** Where the action comes from, for the operation log. */
  origin?: { ip?: string; requestId?: string };
  /** Acting with exactly the grants of this role (a script's service role), not a user's. */
  serviceRole?: string;
}

/** Access to data for plugin code: records of any entity, all in one transaction when asked. */
export interface DataContext {
  readonly actor: Actor;
  records<T extends AnyRecord = AnyRecord>(entity: string): RecordService<T>;
  /**
   * Whether the actor may perform `action` (standard, or a custom action a plugin
   * declares) on `entity` at all, or — with `id` — on that record.
   */
  can(entity: string, action: string, id?: number): Promise<boolean>;
  /** Run `fn` in one transaction: everything it does through the given context commits or rolls back together. */
  transaction<R>(fn: (ctx: DataContext) => Promise<R>): Promise<R>;
  /** In-app notifications, sent as this context's actor and inside its transaction when it has one. */
  readonly notifications: Notifier;
}
