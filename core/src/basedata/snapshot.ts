import type { RecordEvent } from '../jobs/events';

type Row = Record<string, unknown>;

/**
 * Rows of one or more tables kept in memory by id: loaded whole by `reload()`, and kept
 * current by the committed-change events of their entities (applied synchronously, so a
 * writer reads its own write as soon as its transaction returns). A reload that overlaps
 * events replays them over what it read, so an older read never hides a newer change.
 */
export class RecordSnapshot<T extends { id: number; version: number }> {
  private rows = new Map<number, T>();
  private replay: RecordEvent[] | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** Bumped on every change: derived views rebuild when it moves. */
  generation = 0;
  loaded = false;

  constructor(
    private readonly read: () => Promise<T[]>,
    /** The event's record in the snapshot's shape. */
    private readonly fromEvent: (record: Row) => T,
  ) {}

  values(): IterableIterator<T> {
    return this.rows.values();
  }

  get(id: number): T | undefined {
    return this.rows.get(id);
  }

  /** Apply a committed change of this snapshot's entity. */
  apply(event: RecordEvent): void {
    this.replay?.push(event);
    this.applyOne(event);
  }

  private applyOne(event: RecordEvent): void {
    if (event.event.endsWith('.deleted')) {
      if (this.rows.delete(event.id)) this.generation++;
      return;
    }
    const row = this.fromEvent(event.record);
    const current = this.rows.get(row.id);
    if (current && current.version > row.version) return; // a late event of an older version
    this.rows.set(row.id, row);
    this.generation++;
  }

  /**
   * Read everything again (another node changed it, or at start). Resolves once a read
   * that began after this call is in place; concurrent calls share reads.
   */
  reload(): Promise<void> {
    if (!this.running) return (this.running = this.readOnce());
    // One read is under way and may have begun before the caller's change: queue one more.
    this.queued ??= this.running.catch(() => undefined).then(() => {
      this.queued = null;
      return (this.running = this.readOnce());
    });
    return this.queued;
  }

  private async readOnce(): Promise<void> {
    this.replay = [];
    try {
      const rows = await this.read();
      const events = this.replay;
      this.rows = new Map(rows.map((r) => [r.id, r]));
      for (const e of events) this.applyOne(e);
      this.generation++;
      this.loaded = true;
    } finally {
      this.replay = null;
      this.running = null;
    }
  }
}

export const toBool = (v: unknown): boolean => v === true || v === 1 || v === '1';
export const toInt = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const toJson = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : (v ?? null));
