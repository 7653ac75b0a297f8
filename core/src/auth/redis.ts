import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../app/logger';
import type { RedisConfig } from '../app/config';

/** A revocation every node must apply to its token cache at once. */
export type Revocation = { hash: string } | { userId: number };

/**
 * Tells the other nodes what was revoked. Without Redis there is nobody to tell: each
 * node's cache entries expire after AUTH_CACHE_SECONDS, which bounds how long a revoked
 * token can still be accepted elsewhere.
 */
export interface RevocationBus {
  publish(r: Revocation): Promise<void>;
  close(): Promise<void>;
}

export const NO_BUS: RevocationBus = { publish: async () => undefined, close: async () => undefined };

/** The Redis connections of the auth module: commands, and a subscriber for revocations. */
export class RedisLink implements RevocationBus {
  private readonly node = randomUUID();
  private readonly channel: string;

  private constructor(
    readonly client: Redis,
    private readonly subscriber: Redis,
    readonly prefix: string,
  ) {
    this.channel = `${prefix}auth:revoked`;
  }

  /** Connect (failing the start with a clear message when Redis cannot be reached) and subscribe. */
  static async connect(config: RedisConfig, log: Logger, onRevoked: (r: Revocation) => void): Promise<RedisLink> {
    const options = { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5_000 };
    const client = new Redis(config.url, options);
    const subscriber = new Redis(config.url, options);
    // Errors are logged; commands fail on their own and ioredis reconnects.
    for (const c of [client, subscriber]) c.on('error', (err: Error) => log.warn({ err: { message: err.message } }, 'redis connection error'));
    try {
      await Promise.all([client.connect(), subscriber.connect()]);
    } catch (err) {
      client.disconnect();
      subscriber.disconnect();
      throw new Error(`Cannot connect to REDIS_URL: ${(err as Error).message}`);
    }
    const link = new RedisLink(client, subscriber, config.prefix);
    await subscriber.subscribe(link.channel);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== link.channel) return;
      try {
        const { node, ...r } = JSON.parse(message) as Revocation & { node: string };
        if (node !== link.node) onRevoked(r as Revocation);
      } catch {
        log.warn('malformed revocation message ignored');
      }
    });
    return link;
  }

  async publish(r: Revocation): Promise<void> {
    await this.client.publish(this.channel, JSON.stringify({ ...r, node: this.node }));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.subscriber.quit(), this.client.quit()]);
  }
}
