import type { Actor } from '@plinth/sdk';

export interface RecordEvent {
  /** `<entity>.created`, `<entity>.updated`, `<entity>.deleted`. */
  event: string;
  entity: string;
  id: number;
  /** The record after the change (before it, for deletions). */
  record: Record<string, unknown>;
  actor: { userId: number | null; username: string };
}

type Listener = (e: RecordEvent) => void | Promise<void>;

/**
 * Events of committed record changes, in-process. Emitted only after the write's
 * transaction commits, so a listener never sees a change that was rolled back. Listeners
 * run after the request's work, and their failures never reach the writer.
 */
export class EventBus {
  private readonly listeners: Listener[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly onError: (err: unknown, event: RecordEvent) => void) {}

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  emit(event: RecordEvent, actor: Actor): void {
    const e = { ...event, actor: { userId: actor.userId, username: actor.username } };
    for (const listener of this.listeners) {
      const p = Promise.resolve()
        .then(() => listener(e))
        .catch((err: unknown) => this.onError(err, e))
        .finally(() => this.running.delete(p));
      this.running.add(p);
    }
  }

  /** Wait for the listeners still running (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }
}
