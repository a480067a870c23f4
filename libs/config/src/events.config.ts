import type { EnvReader } from './env-reader';

/**
 * The live admin feed and fleet-wide operations (libs/events, admin-bff `/events`): event history
 * and fan-out (Redis Streams, else memory), the orders service's event stream, limits of the
 * WebSocket and SSE connections.
 */
export interface EventsConfig {
  /** `EVENTS_ENABLED` (default true): publish operational events and serve the feed. */
  readonly enabled: boolean;
  /** Redis of the fan-out (`REDIS_URL` unless `EVENTS_REDIS=false`); undefined = this instance only. */
  readonly redisUrl: string | undefined;
  /** `EVENTS_KEY_PREFIX` (default `bff:events:`): the stream, instance reports and purge acks. */
  readonly keyPrefix: string;
  /** `EVENTS_HISTORY_MS` (default 300000): how far back a reconnecting client can resume. */
  readonly historyMs: number;
  /** `EVENTS_HISTORY_MAX` (default 10000): events kept at most, whatever their age. */
  readonly historyMax: number;
  /** `EVENTS_ORDERS_STREAM` (default true, admin-bff): consume the orders service's SSE stream. */
  readonly ordersStream: boolean;
  /** `EVENTS_ORDERS_STREAM_PATH` (default `/orders/events`) on the orders service. */
  readonly ordersStreamPath: string;
  /** `EVENTS_UPSTREAM_BACKOFF_MS` (default 250,10000): first and longest reconnect delay. */
  readonly upstreamBackoffMs: { readonly min: number; readonly max: number };
  /** `EVENTS_ALLOWED_ORIGINS`: origins whose pages may open the feed (cookie or not). */
  readonly allowedOrigins: readonly string[];
  /** `EVENTS_MAX_CONNECTIONS_PER_PRINCIPAL` (default 10) per instance, both transports. */
  readonly maxConnectionsPerPrincipal: number;
  /** `EVENTS_MAX_BUFFER_BYTES` (default 1 MiB): unsent bytes past which a slow client is dropped. */
  readonly maxBufferBytes: number;
  /** `EVENTS_WS_MAX_MESSAGE_BYTES` (default 4096): largest inbound WebSocket message (close 1009). */
  readonly maxMessageBytes: number;
  /** `EVENTS_WS_MAX_MESSAGES_PER_SECOND` (default 5, burst 2×): inbound rate (close 1008). */
  readonly maxMessagesPerSecond: number;
  /** `EVENTS_HEARTBEAT_MS` (default 15000): ping / SSE comment; no pong by the next one: dropped. */
  readonly heartbeatMs: number;
  /** `EVENTS_REAUTH_MS` (default 30000): credentials checked again (revocation, session end). */
  readonly reauthMs: number;
  /** `EVENTS_REPORT_MS` (default 5000): each instance reports its breakers; kept 3× as long. */
  readonly reportMs: number;
}

const KEY_PREFIX = /^[A-Za-z0-9:_.-]{1,64}$/;

/** Reads the `EVENTS_*` variables; defaults work without Redis. */
export function readEventsConfig(
  r: EnvReader,
  redisUrl: string | undefined,
  adminPort: number,
): EventsConfig {
  const keyPrefix = r.raw('EVENTS_KEY_PREFIX') ?? 'bff:events:';
  if (!KEY_PREFIX.test(keyPrefix)) {
    r.problems.push(
      `EVENTS_KEY_PREFIX must be 1-64 letters, digits or ":_.-" (got "${keyPrefix}")`,
    );
  }
  const path = r.raw('EVENTS_ORDERS_STREAM_PATH') ?? '/orders/events';
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(path)) {
    r.problems.push(`EVENTS_ORDERS_STREAM_PATH must be a path starting with / (got "${path}")`);
  }
  const backoff = r.list('EVENTS_UPSTREAM_BACKOFF_MS', ['250', '10000']).map(Number);
  if (
    backoff.length !== 2 ||
    !backoff.every((n) => Number.isInteger(n) && n >= 10 && n <= 600_000) ||
    backoff[0] > backoff[1]
  ) {
    r.problems.push('EVENTS_UPSTREAM_BACKOFF_MS must be "min,max" in ms (10-600000, min <= max)');
  }
  const origins: string[] = [];
  const fallback = [`http://127.0.0.1:${adminPort}`, `http://localhost:${adminPort}`];
  for (const value of r.urls('EVENTS_ALLOWED_ORIGINS', fallback, ['http:', 'https:'])) {
    const url = new URL(value);
    if (url.pathname !== '/') {
      r.problems.push(`EVENTS_ALLOWED_ORIGINS must list origins without a path (got "${value}")`);
    } else origins.push(url.origin);
  }
  return {
    enabled: r.bool('EVENTS_ENABLED', true),
    redisUrl: r.bool('EVENTS_REDIS', true) ? redisUrl : undefined,
    keyPrefix,
    historyMs: r.int('EVENTS_HISTORY_MS', 300_000, 1_000, 86_400_000),
    historyMax: r.int('EVENTS_HISTORY_MAX', 10_000, 10, 10_000_000),
    ordersStream: r.bool('EVENTS_ORDERS_STREAM', true),
    ordersStreamPath: path,
    upstreamBackoffMs: { min: backoff[0] ?? 250, max: backoff[1] ?? 10_000 },
    allowedOrigins: origins,
    maxConnectionsPerPrincipal: r.int('EVENTS_MAX_CONNECTIONS_PER_PRINCIPAL', 10, 1, 1_000_000),
    maxBufferBytes: r.int('EVENTS_MAX_BUFFER_BYTES', 1_048_576, 1_024, 1_073_741_824),
    maxMessageBytes: r.int('EVENTS_WS_MAX_MESSAGE_BYTES', 4_096, 64, 1_048_576),
    maxMessagesPerSecond: r.int('EVENTS_WS_MAX_MESSAGES_PER_SECOND', 5, 1, 10_000),
    heartbeatMs: r.int('EVENTS_HEARTBEAT_MS', 15_000, 100, 3_600_000),
    reauthMs: r.int('EVENTS_REAUTH_MS', 30_000, 100, 86_400_000),
    reportMs: r.int('EVENTS_REPORT_MS', 5_000, 100, 3_600_000),
  };
}
