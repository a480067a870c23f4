import { EventEmitter } from 'node:events';
import { type Redis, createRedisClient, scanTargets, unlinkKeys } from '@app/redis';
import type { KeyvStoreAdapter } from 'keyv';

export interface RedisStoreOptions {
  url: string;
  /** Prefix of every key and of the purge channel (unique per environment or test run). */
  keyPrefix: string;
  /** A command slower than this is abandoned and counts as a failure. */
  timeoutMs: number;
  /** After a failure, the store answers "miss" at once for this long. */
  backoffMs: number;
  /** Called on every failure (metrics, logs); never throws. */
  onError?: (error: unknown) => void;
}

/** A purge sent to every instance sharing the Redis (their level 1 drops the same entries). */
export interface PurgeMessage {
  prefix?: string;
  tag?: string;
  /** Exact keys (HTTP cache invalidation after unsafe requests). */
  keys?: string[];
  /** Instance that sent it (it has already purged its own memory). */
  origin: string;
  /** Set on operator purges: each instance that applied it acknowledges under this id. */
  id?: string;
}

const MAX_TAG_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Level 2: a Keyv store on ioredis. The cache must never wait on Redis: the offline queue is off
 * (commands fail at once while disconnected), every command has a short timeout, and after a
 * failure the store skips Redis entirely for `backoffMs`. Failures read as misses and lost writes.
 */
export class RedisStore extends EventEmitter implements KeyvStoreAdapter {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- required by KeyvStoreAdapter
  opts: any;
  namespace?: string;
  readonly client: Redis;
  private subscriber: Redis | undefined;
  private downUntil = 0;
  private readonly entryPrefix: string;
  private readonly tagPrefix: string;
  readonly channel: string;

  constructor(private readonly options: RedisStoreOptions) {
    super();
    this.opts = { url: options.url, dialect: 'redis' };
    this.entryPrefix = `${options.keyPrefix}e:`;
    this.tagPrefix = `${options.keyPrefix}t:`;
    this.channel = `${options.keyPrefix}purge`;
    // The project's Redis client: no offline queue, command timeout, reconnects in the background.
    this.client = createRedisClient({
      url: options.url,
      use: 'cache',
      commandTimeoutMs: options.timeoutMs,
      connectTimeoutMs: Math.max(500, options.timeoutMs * 10),
      logOutages: false, // `onError` reports them
    });
    // ioredis emits every connection failure; they are expected while Redis is down.
    this.client.on('error', (error: unknown) => this.fail(error));
  }

  /** False while disconnected or backing off after a failure: callers skip Redis. */
  get available(): boolean {
    return this.client.status === 'ready' && Date.now() >= this.downUntil;
  }

  async get<V>(key: string): Promise<V | undefined> {
    if (!this.available) return undefined;
    try {
      const value = await this.client.get(this.entryPrefix + key);
      return (value ?? undefined) as V | undefined;
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    if (!this.available || typeof value !== 'string') return false;
    try {
      if (ttl !== undefined && ttl > 0) {
        await this.client.set(this.entryPrefix + key, value, 'PX', Math.ceil(ttl));
      } else {
        await this.client.set(this.entryPrefix + key, value);
      }
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  /** Adds `key` to the set of each tag (kept as long as the longest entry in it). */
  async tag(key: string, tags: readonly string[], ttlMs: number): Promise<void> {
    if (!this.available || tags.length === 0) return;
    try {
      // One transaction per tag: its commands touch one key, so one slot on a Redis Cluster.
      await Promise.all(
        tags.map((tag) =>
          this.client
            .multi()
            .sadd(this.tagPrefix + tag, key)
            .pexpire(this.tagPrefix + tag, Math.min(MAX_TAG_TTL_MS, Math.ceil(ttlMs)), 'GT')
            // GT leaves a set without expiry untouched: give new sets one.
            .pexpire(this.tagPrefix + tag, Math.min(MAX_TAG_TTL_MS, Math.ceil(ttlMs)), 'NX')
            .exec(),
        ),
      );
    } catch (error) {
      this.fail(error);
    }
  }

  async delete(key: string): Promise<boolean> {
    if (!this.available) return false;
    try {
      return (await this.client.unlink(this.entryPrefix + key)) > 0;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  /** Deletes these entries; returns how many existed. */
  async deleteKeys(keys: readonly string[]): Promise<number> {
    if (!this.available || keys.length === 0) return 0;
    try {
      return await unlinkKeys(
        this.client,
        keys.map((k) => this.entryPrefix + k),
      );
    } catch (error) {
      this.fail(error);
      return 0;
    }
  }

  async clear(): Promise<void> {
    await this.deletePrefix('');
  }

  /** Deletes every entry whose key starts with `prefix` (SCAN, never KEYS); returns how many. */
  async deletePrefix(prefix: string): Promise<number> {
    if (!this.available) return 0;
    const pattern = `${escapeGlob(this.entryPrefix + prefix)}*`;
    let n = 0;
    try {
      // Every master of a cluster holds a share of the keys: each is scanned.
      for (const node of scanTargets(this.client)) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
          cursor = next;
          n += await unlinkKeys(this.client, keys);
        } while (cursor !== '0');
      }
    } catch (error) {
      this.fail(error);
    }
    return n;
  }

  /** Deletes every entry tagged `tag`; returns how many. */
  async deleteTag(tag: string): Promise<number> {
    if (!this.available) return 0;
    try {
      const keys = await this.client.smembers(this.tagPrefix + tag);
      const targets = keys.map((k) => this.entryPrefix + k);
      const n = await unlinkKeys(this.client, targets);
      await this.client.unlink(this.tagPrefix + tag);
      return n;
    } catch (error) {
      this.fail(error);
      return 0;
    }
  }

  /**
   * Tells the other instances to drop the same entries from their memory. Resolves with the
   * number of subscribers that received it (this instance's own included), or undefined when
   * Redis could not be reached.
   */
  async publishPurge(message: PurgeMessage): Promise<number | undefined> {
    if (!this.available) return undefined;
    try {
      return await this.client.publish(this.channel, JSON.stringify(message));
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  /** Records that `instance` applied purge `id` (kept a minute). */
  async ackPurge(id: string, instance: string): Promise<void> {
    const key = `${this.options.keyPrefix}purge-ack:${id}`;
    await this.client
      .multi()
      .rpush(key, instance)
      .pexpire(key, 60_000)
      .exec()
      .catch(() => undefined);
  }

  /** The instances that acknowledged purge `id` so far. */
  async purgeAcks(id: string): Promise<string[]> {
    return this.client.lrange(`${this.options.keyPrefix}purge-ack:${id}`, 0, -1).catch(() => []);
  }

  /** Receives purges of other instances (subscribed again after every reconnection). */
  onPurge(listener: (message: PurgeMessage) => void): void {
    const sub = createRedisClient({
      url: this.options.url,
      use: 'cache-purge',
      commandTimeoutMs: this.options.timeoutMs,
      subscriber: true,
    });
    this.subscriber = sub;
    sub.on('error', () => undefined);
    // Subscribing on every (re)connection also covers a Redis that was down at start-up.
    sub.on('ready', () => {
      sub.subscribe(this.channel).catch(() => undefined);
    });
    sub.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      try {
        const message = JSON.parse(text) as PurgeMessage;
        if (typeof message === 'object' && message !== null) listener(message);
      } catch {
        // Not one of ours.
      }
    });
  }

  async disconnect(): Promise<void> {
    this.subscriber?.disconnect();
    this.client.disconnect();
  }

  private fail(error: unknown): void {
    this.downUntil = Date.now() + this.options.backoffMs;
    this.options.onError?.(error);
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
