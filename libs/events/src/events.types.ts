/** Topics of the live admin feed; a client subscribes to some of them. */
export const FEED_TOPICS = ['orders', 'ops'] as const;
export type FeedTopic = (typeof FEED_TOPICS)[number];

/** One event as every client receives it, on WebSocket and SSE alike. */
export interface FeedEvent {
  /** Stream id `<ms>-<seq>` (Redis Streams' format, also in memory): ordered, used to resume. */
  readonly id: string;
  readonly topic: FeedTopic;
  /** `order.status_changed`, `circuit.changed`, `readiness.changed`, `cache.purged`, ... */
  readonly type: string;
  /** When the event happened (ISO 8601). */
  readonly at: string;
  /** The instance that published it (`<app>@<host>:<pid>`). */
  readonly source: string;
  readonly data: unknown;
}

/** What publishing takes; the bus assigns id and source. */
export interface NewFeedEvent {
  readonly topic: FeedTopic;
  readonly type: string;
  readonly data: unknown;
  readonly at?: string;
  /**
   * Publish once fleet-wide: every instance consuming the same upstream event offers it, the first
   * one wins (Redis `SET NX`; in memory, within this instance).
   */
  readonly dedupKey?: string;
}

/** Who may subscribe to a topic: one of the roles and all the scopes. */
export interface TopicAccess {
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
}

/** Same rules as the HTTP routes that show the same data (README, "Scopes"). */
export const TOPIC_ACCESS: Readonly<Record<FeedTopic, TopicAccess>> = {
  orders: { roles: ['admin', 'support'], scopes: ['orders:read'] },
  ops: { roles: ['admin'], scopes: ['ops:read'] },
};

const ID = /^(\d{1,16})-(\d{1,16})$/;

/** `[ms, seq]` of a stream id, or undefined when it is not one. */
export function parseEventId(id: string): [number, number] | undefined {
  const match = ID.exec(id);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2])];
}

/** Orders two parsed stream ids. */
export function compareEventIds(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** Topics from `?topics=a,b` (default all): the list, or the names that are not topics. */
export function parseTopics(
  value: string | undefined,
): { topics: FeedTopic[] } | { unknown: string[] } {
  if (value === undefined || value.trim() === '') return { topics: [...FEED_TOPICS] };
  const names = [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = names.filter((n) => !(FEED_TOPICS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) return { unknown };
  return { topics: names as FeedTopic[] };
}
