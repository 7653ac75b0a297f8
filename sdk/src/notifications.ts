/**
 * In-app notifications (站内消息): plain-text messages to users, shown under the bell of the
 * workspace and on its messages page. Plugins send them through their data context
 * (`ctx.notifications.send(...)`); scripts through `ctx.notify(...)`.
 */

/** Who receives a notification: users, and every active holder of the roles or member of the departments. */
export interface NotificationRecipients {
  /** User ids. */
  users?: readonly number[];
  /** Role codes. */
  roles?: readonly string[];
  /** Department ids (their members; not those of departments under them). */
  departments?: readonly number[];
}

export interface NotificationMessage {
  /** A user id, a list of user ids, or users, roles and departments. Only active users receive it. */
  to: number | readonly number[] | NotificationRecipients;
  /** 1–200 characters. */
  title: string;
  /** Plain text, at most 4,000 characters (never rendered as HTML). */
  body?: string;
  /** A relative link into the application, e.g. `/app/customers/12` (no scheme, no host). */
  link?: string;
}

/** What a send did: how many users received the notification. */
export interface NotificationReceipt {
  recipients: number;
}

/**
 * Sends notifications. A send made inside a transaction is written in it: when the
 * transaction rolls back, nobody is notified; recipients are told live once it commits.
 */
export interface Notifier {
  send(message: NotificationMessage, options?: NotifyOptions): Promise<NotificationReceipt>;
}

export interface NotifyOptions {
  /**
   * What kind of notification this is, e.g. `crm.followUp` (lower-case start; letters,
   * digits, `.` `:` `_` `-`; at most 120 characters). Default: `message` from a user,
   * `system` from the system.
   */
  kind?: string;
}
