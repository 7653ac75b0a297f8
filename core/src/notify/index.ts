/** In-app notifications (站内消息): the service, its live stream, the flow engine's notices. See docs/notifications.md. */
import type { Logger } from '../app/logger';
import type { Signals } from '../cluster/signals';
import type { Executor } from '../data/database';
import type { RecordStore } from '../services/records';
import type { FlowRuntimeStore } from '../flows/runtime-store';
import type { ScriptHostServices } from '../scripts/host';
import { Notifications } from './notifications';
import { LiveNotifications } from './live';
import { recipientResolver } from './recipients';
import { flowNotices } from './flow-notices';

export { notificationSchema } from './schema';
export { Notifications, type NotificationItem, type NotificationPage } from './notifications';
export { LiveNotifications, NOTIFICATIONS_TOPIC } from './live';

const PURGE_EVERY_MS = 3_600_000;

/** The platform's notifications, wired to the record store (plugins' `ctx.notifications`) and the cluster. */
export class NotificationCentre {
  readonly service: Notifications;
  readonly live: LiveNotifications;
  private readonly purge: NodeJS.Timeout;

  constructor(options: { db: Executor; store: () => RecordStore; signals: Signals | null; log: Logger; retentionDays: number }) {
    this.service = new Notifications(options.db, recipientResolver(options.store));
    options.store().notifier = (actor, db) => this.service.notifier(actor, db);
    this.live = new LiveNotifications(this.service, options.signals, options.log);
    // Deleting what is past the retention is idempotent: every node may do it, no claim needed.
    this.purge = setInterval(() => {
      this.service.purgeRead(options.retentionDays).catch((err: Error) => options.log.warn({ err: { message: err.message } }, 'notification purge failed'));
    }, PURGE_EVERY_MS);
    this.purge.unref();
  }

  /** `ctx.notify` of scripts: kind `script:<name>`, sent as the script's actor in the caller's transaction. */
  readonly scriptNotify: NonNullable<ScriptHostServices['notify']> = async (message, data, script) => {
    await data.notifications.send(message, { kind: `script:${script}` });
  };

  /** Notify handlers, initiators and urged users of what the flow engine does. */
  followFlows(store: FlowRuntimeStore): void {
    store.observe(flowNotices(this.service));
  }

  async close(): Promise<void> {
    clearInterval(this.purge);
    await this.live.close();
  }
}
