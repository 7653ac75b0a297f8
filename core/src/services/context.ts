import { PlinthError, type Actor, type AnyRecord, type DataContext, type Notifier, type RecordService } from '@plinth/sdk';
import type { Executor } from '../data/database';
import type { RecordStore } from './records';

/**
 * The data access plugin code gets: every call goes through the record services.
 * `internal` contexts (hooks, the directory) may also write readonly, computed fields.
 */
export class ServiceDataContext implements DataContext {
  constructor(
    private readonly store: RecordStore,
    readonly actor: Actor,
    private readonly db: Executor = store.db,
    private readonly internal = false,
  ) {}

  records<T extends AnyRecord = AnyRecord>(entity: string): RecordService<T> {
    return this.store.service(entity, this.actor, this.db, this.internal) as unknown as RecordService<T>;
  }

  /** The same executor (transaction) and trust, acting as someone else. */
  withActor(actor: Actor): ServiceDataContext {
    return new ServiceDataContext(this.store, actor, this.db, this.internal);
  }

  can(entity: string, action: string, id?: number): Promise<boolean> {
    return this.store.service(entity, this.actor, this.db, this.internal).can(action, id);
  }

  get notifications(): Notifier {
    return this.store.notifier?.(this.actor, this.db) ?? { send: () => Promise.reject(new PlinthError(501, 'unavailable', 'Notifications are not available on this server')) };
  }

  transaction<R>(fn: (ctx: DataContext) => Promise<R>): Promise<R> {
    return this.db.transaction((tx) => fn(new ServiceDataContext(this.store, this.actor, tx, this.internal)));
  }
}
