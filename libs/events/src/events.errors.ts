import { BffError } from '@app/core';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** `?topics=` names something that is not a topic. */
export class UnknownTopicError extends BffError {
  readonly status = 400;
  readonly code = 'UNKNOWN_TOPIC';
}

/** A page from an origin not in `EVENTS_ALLOWED_ORIGINS` (or a cookie without an origin). */
export class OriginNotAllowedError extends BffError {
  readonly status = 403;
  readonly code = 'ORIGIN_NOT_ALLOWED';
}

/** The caller already holds `EVENTS_MAX_CONNECTIONS_PER_PRINCIPAL` connections here. */
export class TooManyFeedConnectionsError extends BffError {
  readonly status = 429;
  readonly code = 'TOO_MANY_FEED_CONNECTIONS';
  override retryAfterSeconds = 5;
}

/** The instance is shutting down: connect to another one. */
export class FeedDrainingError extends BffError {
  readonly status = 503;
  readonly code = 'DRAINING';
  override retryAfterSeconds = 1;
}

/** A plain GET of the WebSocket endpoint. */
export class UpgradeRequiredError extends BffError {
  readonly status = 426;
  readonly code = 'UPGRADE_REQUIRED';
}

/** The JSON error body every BFF answer has (libs/core's filter), for a refused handshake. */
export function errorBody(status: number, code: string, message: string): string {
  return JSON.stringify({
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    code,
    message,
  });
}

/** Answers a WebSocket handshake with an HTTP error and closes the socket. */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (socket.destroyed) return;
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
