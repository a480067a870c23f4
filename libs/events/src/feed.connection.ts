import { type FeedEvent, type FeedTopic, compareEventIds, parseEventId } from './events.types';
import { eventsMetrics } from './events.metrics';

export type FeedTransport = 'ws' | 'sse';

/** Why the server ends a connection; the WebSocket close code of each is documented (README). */
export type DropReason =
  | 'shutdown'
  | 'slow_consumer'
  | 'credentials'
  | 'forbidden'
  | 'heartbeat'
  | 'inbound_rate'
  | 'inbound_size';

/** WebSocket close codes of the feed (SSE streams just end). */
export const CLOSE_CODES: Readonly<Record<DropReason, number>> = {
  shutdown: 1001,
  inbound_rate: 1008,
  inbound_size: 1009,
  // Not sent: a peer that misses a heartbeat is gone, its socket is destroyed (1006 if it returns).
  heartbeat: 4000,
  credentials: 4401,
  forbidden: 4403,
  slow_consumer: 4429,
};

/** Live events arriving while the missed ones are being fetched, at most (else: slow consumer). */
const MAX_PENDING = 10_000;

/**
 * One client of the feed, whatever the transport: subscribed topics, resume (missed events first,
 * then the live ones that arrived meanwhile, each id once, in order), and the drop rules. A
 * transport implements the writes and reports its unsent bytes.
 */
export abstract class FeedConnection {
  private pending: FeedEvent[] | undefined = [];
  private lastSent: [number, number] | undefined;
  private ended = false;
  private readonly endListeners: (() => void)[] = [];

  constructor(
    readonly transport: FeedTransport,
    /** Counts connections per caller (`<kind>:<subject>`). */
    readonly principalKey: string,
    readonly topics: ReadonlySet<FeedTopic>,
    protected readonly maxBufferBytes: number,
  ) {}

  get closed(): boolean {
    return this.ended;
  }

  /** A live event from the bus. */
  offer(event: FeedEvent): void {
    if (this.ended || !this.topics.has(event.topic)) return;
    if (this.pending !== undefined) {
      this.pending.push(event);
      if (this.pending.length > MAX_PENDING) this.drop('slow_consumer');
      return;
    }
    this.write(event);
  }

  /** Starts delivery: the missed events (or a reset), then the live ones held meanwhile. */
  start(missed: FeedEvent[] | 'reset' | undefined): void {
    if (this.ended) return;
    if (missed === 'reset') this.writeReset();
    else for (const event of missed ?? []) this.write(event);
    const held = this.pending ?? [];
    this.pending = undefined;
    for (const event of held) this.write(event);
  }

  /** Ends the connection for `reason` (metric, close code); idempotent. */
  drop(reason: DropReason): void {
    if (this.ended) return;
    eventsMetrics().drops.inc({ transport: this.transport, reason });
    this.end();
    this.terminate(reason);
  }

  /** The transport saw the client go. */
  protected end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const listener of this.endListeners.splice(0)) listener();
  }

  onEnd(listener: () => void): void {
    if (this.ended) listener();
    else this.endListeners.push(listener);
  }

  private write(event: FeedEvent): void {
    if (this.ended) return;
    const id = parseEventId(event.id);
    if (
      id !== undefined &&
      this.lastSent !== undefined &&
      compareEventIds(id, this.lastSent) <= 0
    ) {
      return;
    }
    if (id !== undefined) this.lastSent = id;
    this.writeEvent(event);
    eventsMetrics().messages.inc({ transport: this.transport });
    // The bounded buffer: a client that does not read is dropped, never buffered without end.
    if (this.bufferedBytes() > this.maxBufferBytes) this.drop('slow_consumer');
  }

  protected abstract writeEvent(event: FeedEvent): void;
  protected abstract writeReset(): void;
  protected abstract bufferedBytes(): number;
  protected abstract terminate(reason: DropReason): void;
}
