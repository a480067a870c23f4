import type { FeedEvent, FeedTopic, NewFeedEvent } from './events.types';

export type FeedListener = (event: FeedEvent) => void;

/**
 * Where events are published and from where every instance's clients receive them. Two
 * implementations: Redis Streams (fleet-wide, bounded history shared by every instance) and memory
 * (one instance, no Redis). Nest injection token too.
 */
export abstract class EventBus {
  /** True when events reach every instance (Redis), false when only this one. */
  abstract get shared(): boolean;
  /** The instance name events from here carry as `source`. */
  abstract get source(): string;
  /**
   * Publishes; resolves with the event, or undefined when `dedupKey` was published already.
   * Never rejects: a Redis failure delivers to this instance's clients only.
   */
  abstract publish(event: NewFeedEvent): Promise<FeedEvent | undefined>;
  /** Every event, from any instance, in stream order. Returns the unsubscribe function. */
  abstract subscribe(listener: FeedListener): () => void;
  /**
   * The events of `topics` after `lastId` still in the history, or 'reset' when some after it may
   * have been dropped (too old) or the id is unknown.
   */
  abstract since(lastId: string, topics: readonly FeedTopic[]): Promise<FeedEvent[] | 'reset'>;
  abstract close(): Promise<void>;
  /**
   * Resolves once events published from now on reach this instance's listeners (a Redis reader has
   * taken its place in the stream). A feed says `ready` to a client only after it: an event
   * published before would be lost for that client.
   */
  ready(): Promise<void> {
    return Promise.resolve();
  }
}
