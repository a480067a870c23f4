import { Logger } from '@nestjs/common';
import { type Redis, closeRedisClient, createRedisClient } from '@app/redis';
import { EventBus, type FeedListener } from './event.bus';
import {
  FEED_TOPICS,
  type FeedEvent,
  type FeedTopic,
  type NewFeedEvent,
  compareEventIds,
  parseEventId,
} from './events.types';
import { eventsMetrics } from './events.metrics';
import { MemoryEventBus } from './memory-event.bus';

/** Options of {@link RedisEventBus}. */
export interface RedisEventBusOptions {
  url: string;
  /** Key prefix; the stream is `<prefix>stream`, dedup keys `<prefix>seen:<key>`. */
  keyPrefix: string;
  source: string;
  historyMs: number;
  historyMax: number;
  commandTimeoutMs: number;
}

/** Longest block of one XREAD: bounds how long close() waits for the reader. */
const BLOCK_MS = 1_000;
/** Pause after a failed read before the next (the client reconnects meanwhile). */
const READ_RETRY_MS = 250;
/** Longest wait of a new feed connection for the reader's place in the stream. */
const POSITION_WAIT_MS = 2_000;
const REPLAY_MAX = 10_000;

type StreamEntry = [id: string, fields: string[]];

/**
 * Fleet-wide events on one Redis Stream: each instance appends (`XADD`, trimmed by count and age:
 * the bounded history), and one reader per instance follows the stream (`XREAD BLOCK`) and hands
 * every entry to its clients, in stream order. A reconnecting client resumes from the stream
 * (`XRANGE`). While Redis is down, events published here reach this instance's clients only.
 */
export class RedisEventBus extends EventBus {
  private readonly logger = new Logger('Events');
  private readonly writer: Redis;
  /** Created on the first subscriber: publish-only instances (web, mobile) hold no reader. */
  private reader: Redis | undefined;
  private readonly stream: string;
  private readonly local: MemoryEventBus;
  private readonly listeners = new Set<FeedListener>();
  private lastId = '$';
  private closed = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: RedisEventBusOptions) {
    super();
    this.stream = `${options.keyPrefix}stream`;
    this.writer = createRedisClient({
      url: options.url,
      use: 'events',
      commandTimeoutMs: options.commandTimeoutMs,
    });
    this.local = new MemoryEventBus({
      source: options.source,
      historyMs: options.historyMs,
      historyMax: options.historyMax,
    });
  }

  get shared(): boolean {
    return this.writer.status === 'ready';
  }

  get source(): string {
    return this.options.source;
  }

  /** The writer connection, for the fleet views (instance reports, purge acks). */
  get client(): Redis {
    return this.writer;
  }

  async publish(event: NewFeedEvent): Promise<FeedEvent | undefined> {
    const at = event.at ?? new Date().toISOString();
    try {
      if (event.dedupKey !== undefined) {
        const first = await this.writer.set(
          `${this.options.keyPrefix}seen:${event.dedupKey}`,
          '1',
          'PX',
          this.options.historyMs,
          'NX',
        );
        if (first === null) return undefined;
      }
      const body = JSON.stringify({
        topic: event.topic,
        type: event.type,
        at,
        source: this.options.source,
        data: event.data,
      });
      const minId = `${Date.now() - this.options.historyMs}-0`;
      const [[error, id]] = (await this.writer
        .multi()
        .xadd(this.stream, 'MAXLEN', '~', this.options.historyMax, '*', 'e', body)
        .xtrim(this.stream, 'MINID', '~', minId)
        .pexpire(this.stream, this.options.historyMs * 2)
        .exec()) as [Error | null, unknown][];
      if (error !== null) throw error;
      eventsMetrics().published.inc({ topic: event.topic, delivery: 'fleet' });
      // The reader delivers it, like every other instance's events.
      return {
        id: String(id),
        topic: event.topic,
        type: event.type,
        at,
        source: this.source,
        data: event.data,
      };
    } catch (error) {
      // Fail open: this instance's clients still see it.
      this.logger.debug(`publish to Redis failed (${(error as Error).message}); local only`);
      const local = this.local.append({ ...event, at }, this.options.source);
      eventsMetrics().published.inc({ topic: event.topic, delivery: 'local' });
      this.deliver(local);
      return local;
    }
  }

  /** Resolves once the reader has its place in the stream (or has given up waiting for Redis). */
  private positioned: Promise<void> = Promise.resolve();
  private markPositioned: () => void = () => undefined;

  override ready(): Promise<void> {
    // Bounded: with Redis down the feed still opens (events then come from this instance only).
    return Promise.race([
      this.positioned,
      new Promise<void>((resolve) => setTimeout(resolve, POSITION_WAIT_MS).unref()),
    ]);
  }

  subscribe(listener: FeedListener): () => void {
    if (this.reader === undefined && !this.closed) {
      // No command timeout: XREAD blocks by design (bounded by BLOCK_MS).
      const reader = createRedisClient({
        url: this.options.url,
        use: 'events',
        commandTimeoutMs: this.options.commandTimeoutMs,
        subscriber: true,
        logOutages: false,
      });
      this.reader = reader;
      this.positioned = new Promise((resolve) => (this.markPositioned = resolve));
      this.loop = this.readLoop(reader);
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async since(lastId: string, topics: readonly FeedTopic[]): Promise<FeedEvent[] | 'reset'> {
    const after = parseEventId(lastId);
    if (after === undefined) return 'reset';
    let info: unknown[];
    try {
      info = (await this.writer.xinfo('STREAM', this.stream)) as unknown[];
    } catch {
      // No stream (expired, or a Redis back empty): nothing to resume from.
      return 'reset';
    }
    const field = (name: string): unknown => info[info.indexOf(name) + 1];
    const last = parseEventId(String(field('last-generated-id')));
    const first = field('first-entry') as StreamEntry | null;
    const trimmed = Number(field('entries-added')) > Number(field('length'));
    if (last === undefined || compareEventIds(after, last) > 0) return 'reset';
    if (first === null) return trimmed ? 'reset' : [];
    // Entries between lastId and the oldest kept one may have been trimmed away.
    if (trimmed && compareEventIds(after, parseEventId(first[0])!) < 0) return 'reset';
    const entries = (await this.writer.xrange(
      this.stream,
      `(${lastId}`,
      '+',
      'COUNT',
      REPLAY_MAX,
    )) as StreamEntry[];
    return entries
      .map((entry) => this.decode(entry))
      .filter((e): e is FeedEvent => e !== undefined && topics.includes(e.topic));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    if (this.reader !== undefined) closeRedisClient(this.reader);
    closeRedisClient(this.writer);
    await this.loop;
  }

  private deliver(event: FeedEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private async readLoop(reader: Redis): Promise<void> {
    while (!this.closed) {
      try {
        if (reader.status !== 'ready') {
          await new Promise((resolve) => setTimeout(resolve, READ_RETRY_MS));
          continue;
        }
        if (this.lastId === '$') {
          // Start at the stream's end: what came before is history, served by since().
          const tail = (await reader.xrevrange(this.stream, '+', '-', 'COUNT', 1)) as StreamEntry[];
          this.lastId = tail[0]?.[0] ?? '0-0';
          this.markPositioned();
        }
        const answer = (await reader.xread(
          'COUNT',
          1_000,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.stream,
          this.lastId,
        )) as [string, StreamEntry[]][] | null;
        if (answer === null) continue;
        const now = Date.now();
        for (const entry of answer[0][1]) {
          this.lastId = entry[0];
          const event = this.decode(entry);
          if (event === undefined) continue;
          eventsMetrics().fanout.observe(Math.max(0, now - parseEventId(event.id)![0]) / 1000);
          this.deliver(event);
        }
      } catch (error) {
        if (this.closed) break;
        this.logger.debug(`stream read failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, READ_RETRY_MS));
      }
    }
  }

  private decode([id, fields]: StreamEntry): FeedEvent | undefined {
    const at = fields.indexOf('e');
    if (at < 0 || at % 2 !== 0) return undefined;
    try {
      const body = JSON.parse(fields[at + 1]) as Omit<FeedEvent, 'id'>;
      if (!(FEED_TOPICS as readonly string[]).includes(body.topic)) return undefined;
      return {
        id,
        topic: body.topic,
        type: String(body.type),
        at: String(body.at),
        source: String(body.source),
        data: body.data,
      };
    } catch {
      return undefined;
    }
  }
}
