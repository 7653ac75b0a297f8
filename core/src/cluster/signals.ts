import { randomUUID } from 'node:crypto';
import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';
import { Redis } from 'ioredis';
import type { RedisConfig } from '../app/config';
import type { Logger } from '../app/logger';
import type { Executor } from '../data/database';
import { nowDb } from '../data/codec';

/** One version counter per topic; every node compares it with the last one it applied. */
export const signalSchema = new EntitySchema({
  name: 'PlinthSignal',
  tableName: 'plinth_signals',
  properties: {
    topic: { type: 'string', length: 64, primary: true },
    version: { type: 'integer', default: 0 },
    changedAt: { type: 'string', length: 30, fieldName: 'changed_at' },
  },
} as unknown as EntitySchemaMetadata<Record<string, unknown>>);

/** With Redis the poll is only a safety net for messages lost while a connection was down. */
export const REDIS_SAFETY_POLL_MS = 30_000;

const TOPIC = /^[a-z][a-z0-9:._-]{0,63}$/;

export interface SignalsOptions {
  /** Redis for instant delivery; null: other nodes learn of a change by polling the database. */
  redis: RedisConfig | null;
  /** How often the version counters are read (CLUSTER_POLL_MS). */
  pollMs: number;
  log: Logger;
}

type Listener = () => void | Promise<void>;

/**
 * "Something changed, reload it" across the nodes of one installation. A module that
 * changed shared state (plugins, metadata, menus…) calls `publish(topic)` after its
 * transaction committed; every other node runs the `on(topic)` listeners soon after:
 * at once through Redis pub/sub when REDIS_URL is set, else at the next poll of the
 * topic's version counter in the database. Listeners reload from the database (the
 * signal carries no data), so a late or doubled delivery is harmless; deliveries of one
 * topic never overlap, and changes that arrive during a run cause one more run.
 */
export class Signals {
  private readonly node = randomUUID();
  private readonly listeners = new Map<string, Set<Listener>>();
  /** The last version of each topic this node has applied (or published itself). */
  private readonly seen = new Map<string, number>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly db: Executor,
    private readonly log: Logger,
    private readonly redis: { client: Redis; subscriber: Redis; channel: string } | null,
  ) {}

  /** Read the current versions (older changes are not delivered), connect to Redis, start polling. */
  static async start(db: Executor, options: SignalsOptions): Promise<Signals> {
    let redis: { client: Redis; subscriber: Redis; channel: string } | null = null;
    if (options.redis) {
      const connection = { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5_000 };
      const client = new Redis(options.redis.url, connection);
      const subscriber = new Redis(options.redis.url, connection);
      for (const c of [client, subscriber]) c.on('error', (err: Error) => options.log.warn({ err: { message: err.message } }, 'redis connection error (cluster signals)'));
      try {
        await Promise.all([client.connect(), subscriber.connect()]);
      } catch (err) {
        client.disconnect();
        subscriber.disconnect();
        throw new Error(`Cannot connect to REDIS_URL: ${(err as Error).message}`);
      }
      redis = { client, subscriber, channel: `${options.redis.prefix}signals` };
    }
    const signals = new Signals(db, options.log, redis);
    for (const row of await signals.read()) signals.seen.set(row.topic, row.version);
    if (redis) {
      await redis.subscriber.subscribe(redis.channel);
      redis.subscriber.on('message', (channel: string, message: string) => {
        if (channel === redis.channel) signals.receive(message);
      });
    }
    const every = redis ? Math.max(options.pollMs, REDIS_SAFETY_POLL_MS) : options.pollMs;
    signals.timer = setInterval(() => void signals.poll(), every);
    signals.timer.unref();
    return signals;
  }

  /** Run `fn` whenever another node publishes `topic`. Returns a function that removes it. */
  on(topic: string, fn: Listener): () => void {
    checkTopic(topic);
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /**
   * Tell the other nodes that `topic` changed. Call it after the change committed. When
   * another node's change slipped in since this node last applied one, this node's own
   * listeners run too, so that change is not missed here. Returns the topic's new version.
   */
  async publish(topic: string): Promise<number> {
    checkTopic(topic);
    const version = await this.db.transaction(async (tx) => {
      const bumped = await tx.run('UPDATE plinth_signals SET version = version + 1, changed_at = ? WHERE topic = ?', [nowDb(), topic]);
      if (bumped.affectedRows === 0) {
        try {
          await tx.run('INSERT INTO plinth_signals (topic, version, changed_at) VALUES (?, 1, ?)', [topic, nowDb()]);
        } catch (err) {
          // Another node created the counter at the same moment: count on it.
          if (tx.dialect.classify(err)?.kind !== 'unique') throw err;
          await tx.run('UPDATE plinth_signals SET version = version + 1, changed_at = ? WHERE topic = ?', [nowDb(), topic]);
        }
      }
      const rows = await tx.all<{ version: number | string }>('SELECT version FROM plinth_signals WHERE topic = ?', [topic]);
      return Number(rows[0].version);
    });
    const before = this.seen.get(topic) ?? 0;
    if (version === before + 1) this.seen.set(topic, version);
    else this.deliver(topic, version);
    if (this.redis) {
      await this.redis.client.publish(this.redis.channel, JSON.stringify({ node: this.node, topic, version })).catch((err: Error) => {
        // The other nodes' safety poll still finds the change.
        this.log.warn({ topic, err: { message: err.message } }, 'could not publish a cluster signal');
      });
    }
    return version;
  }

  /** The last version of `topic` this node applied. */
  version(topic: string): number {
    return this.seen.get(topic) ?? 0;
  }

  /** Wait until the listeners running now (and any run they queued) are done. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()]);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
    await this.idle();
    if (this.redis) await Promise.allSettled([this.redis.subscriber.quit(), this.redis.client.quit()]);
  }

  private read(): Promise<{ topic: string; version: number }[]> {
    return this.db.all<{ topic: string; version: number | string }>('SELECT topic, version FROM plinth_signals').then((rows) => rows.map((r) => ({ topic: r.topic, version: Number(r.version) })));
  }

  private receive(message: string): void {
    try {
      const m = JSON.parse(message) as { node?: string; topic?: string; version?: number };
      if (m.node === this.node || typeof m.topic !== 'string' || typeof m.version !== 'number') return;
      this.deliver(m.topic, m.version);
    } catch {
      this.log.warn('malformed cluster signal ignored');
    }
  }

  /** Check the counters now (also what the timer does). */
  poll(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.polling ??= this.read()
      .then((rows) => {
        for (const row of rows) this.deliver(row.topic, row.version);
      })
      .catch((err: Error) => this.log.warn({ err: { message: err.message } }, 'cluster signal poll failed'))
      .finally(() => {
        this.polling = null;
      });
    return this.polling;
  }

  private deliver(topic: string, version: number): void {
    if (this.closed || version <= (this.seen.get(topic) ?? 0)) return;
    this.seen.set(topic, version);
    if (this.running.has(topic)) {
      this.again.add(topic);
      return;
    }
    const run = async (): Promise<void> => {
      do {
        this.again.delete(topic);
        for (const fn of [...(this.listeners.get(topic) ?? [])]) {
          try {
            await fn();
          } catch (err) {
            this.log.error({ topic, err: String(err) }, 'cluster signal listener failed');
          }
        }
      } while (this.again.has(topic) && !this.closed);
    };
    this.running.set(
      topic,
      run().finally(() => this.running.delete(topic)),
    );
  }
}

function checkTopic(topic: string): void {
  if (!TOPIC.test(topic)) throw new Error(`Signal topic "${topic}" must be 1–64 lower-case letters, digits or : . _ -`);
}
