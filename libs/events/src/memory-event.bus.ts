import { EventBus, type FeedListener } from './event.bus';
import {
  type FeedEvent,
  type FeedTopic,
  type NewFeedEvent,
  compareEventIds,
  parseEventId,
} from './events.types';
import { eventsMetrics } from './events.metrics';

/** Options of {@link MemoryEventBus}. */
export interface MemoryEventBusOptions {
  source: string;
  /** How far back a client can resume. */
  historyMs: number;
  /** Events kept at most. */
  historyMax: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * One instance's events, without Redis: ids in Redis Streams' format (`<ms>-<seq>`), a history
 * bounded by age and count, and a marker of the newest dropped event so a client that missed
 * dropped events gets 'reset' instead of a silent gap.
 */
export class MemoryEventBus extends EventBus {
  private readonly history: FeedEvent[] = [];
  private readonly listeners = new Set<FeedListener>();
  private readonly seen = new Map<string, number>();
  private last: [number, number] = [0, 0];
  private droppedThrough: [number, number] = [0, 0];
  private readonly now: () => number;

  constructor(private readonly options: MemoryEventBusOptions) {
    super();
    this.now = options.now ?? Date.now;
  }

  get shared(): boolean {
    return false;
  }

  get source(): string {
    return this.options.source;
  }

  publish(event: NewFeedEvent): Promise<FeedEvent | undefined> {
    if (event.dedupKey !== undefined && !this.firstTime(event.dedupKey)) {
      return Promise.resolve(undefined);
    }
    const published = this.append(event, this.options.source);
    eventsMetrics().published.inc({ topic: event.topic, delivery: 'local' });
    this.deliver(published);
    return Promise.resolve(published);
  }

  /** Adds an event with the next id (also used by the Redis bus while Redis is down). */
  append(event: NewFeedEvent, source: string): FeedEvent {
    const ms = this.now();
    this.last = ms > this.last[0] ? [ms, 0] : [this.last[0], this.last[1] + 1];
    const stored: FeedEvent = {
      id: `${this.last[0]}-${this.last[1]}`,
      topic: event.topic,
      type: event.type,
      at: event.at ?? new Date(ms).toISOString(),
      source,
      data: event.data,
    };
    this.history.push(stored);
    this.trim();
    return stored;
  }

  deliver(event: FeedEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  since(lastId: string, topics: readonly FeedTopic[]): Promise<FeedEvent[] | 'reset'> {
    this.trim();
    const after = parseEventId(lastId);
    if (after === undefined || compareEventIds(after, this.last) > 0) {
      return Promise.resolve('reset');
    }
    if (compareEventIds(after, this.droppedThrough) < 0) return Promise.resolve('reset');
    return Promise.resolve(
      this.history.filter(
        (e) => topics.includes(e.topic) && compareEventIds(parseEventId(e.id)!, after) > 0,
      ),
    );
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }

  private firstTime(key: string): boolean {
    const now = this.now();
    if ((this.seen.get(key) ?? 0) > now) return false;
    this.seen.set(key, now + this.options.historyMs);
    // Bounded like the history: the oldest keys go first.
    if (this.seen.size > this.options.historyMax) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }

  private trim(): void {
    const cutoff = this.now() - this.options.historyMs;
    while (
      this.history.length > 0 &&
      (this.history.length > this.options.historyMax ||
        parseEventId(this.history[0].id)![0] < cutoff)
    ) {
      this.droppedThrough = parseEventId(this.history.shift()!.id)!;
    }
  }
}
