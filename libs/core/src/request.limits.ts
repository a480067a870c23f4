import type { EdgeConfig, RequestLimitsConfig } from '@app/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Socket, isIP } from 'node:net';
import type { Server, ServerOptions } from 'node:http';
import { InvalidPathError, TooManyConnectionsError } from './edge.errors';
import { pathRuleViolation } from './path.rule';
import { trustedProxyList } from './trusted-proxies';

/**
 * Fastify server options that bound every phase of reading a request (set where the adapter is
 * created): head size and time, whole-request time (body included, chunked too), keep-alive idle
 * time (the header count is set on the server, see {@link installRequestLimits}). Node checks the two timeouts on a timer; it runs at a quarter of the shorter one (at most
 * every second), so a timeout fires within that much of its value.
 */
export function serverLimitOptions(limits: RequestLimitsConfig): {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: ServerOptions;
  clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => void;
} {
  const shortest = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(shortest / 4))),
    },
    clientErrorHandler,
  };
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

function rawError(status: 400 | 408 | 431, code: string, message: string): string {
  const body = JSON.stringify({ statusCode: status, error: REASONS[status], code, message });
  return (
    `HTTP/1.1 ${status} ${REASONS[status]}\r\n` +
    'content-type: application/json; charset=utf-8\r\n' +
    'cache-control: no-store\r\n' +
    'connection: close\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

// Built once: these answers are written straight to the socket, outside Fastify and Nest.
const REQUEST_TIMEOUT = rawError(
  408,
  'REQUEST_TIMEOUT',
  'The request was not received in time (BFF_HEADERS_TIMEOUT_MS / BFF_REQUEST_TIMEOUT_MS)',
);
const HEADERS_TOO_LARGE = rawError(
  431,
  'HEADERS_TOO_LARGE',
  'The request has too many headers (BFF_MAX_HEADERS) or too large a head (BFF_MAX_HEADER_BYTES)',
);
const MALFORMED = rawError(400, 'MALFORMED_REQUEST', 'The request is not valid HTTP/1.1');

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (timeouts, oversized
 * heads, malformed messages) in the BFF's JSON error format, then closes the connection. Nothing
 * is written once a response has started on the socket (Node's own rule).
 */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    socket.write(
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? REQUEST_TIMEOUT
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? HEADERS_TOO_LARGE
          : MALFORMED,
    );
  }
  socket.destroy(error);
}

const OVER_CAP = Symbol('bff.overConnectionCap');
const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * Counts open connections per peer address. A connection beyond the cap is marked and its first
 * request answered 429 `TOO_MANY_CONNECTIONS` with `Connection: close` (as nginx's `limit_conn`
 * does), before any other work; a marked connection that sends nothing is closed by the head
 * timeout. Peers in `TRUSTED_PROXIES` (a balancer carries many clients) are not counted.
 */
function capConnectionsPerIp(server: Server, cap: number, trustedProxies: readonly string[]): void {
  const open = new Map<string, number>();
  const trusted = trustedProxyList(trustedProxies);
  server.on('connection', (socket: Socket) => {
    const raw = socket.remoteAddress;
    if (raw === undefined) return;
    const address = MAPPED_V4.exec(raw)?.[1] ?? raw;
    const family = isIP(address);
    if (family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4')) return;
    const count = (open.get(address) ?? 0) + 1;
    open.set(address, count);
    if (count > cap) (socket as { [OVER_CAP]?: true })[OVER_CAP] = true;
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/**
 * The request limits of the server and of the first hook, all before routing, sessions, guards
 * and body parsing: the header count (431, by Node's parser), the connection cap (429) and the
 * path rule (400). Returns the per-request
 * check, which the caller runs in its first `onRequest` hook once the request id exists (so the
 * error body carries it); it returns the error to answer with, or undefined.
 */
export function installRequestLimits(
  server: Server,
  edge: EdgeConfig,
  trustedProxies: readonly string[],
): (request: FastifyRequest, reply: FastifyReply) => Error | undefined {
  const { limits, paths } = edge;
  // Node's parser refuses a request with more headers than this (HPE_HEADER_OVERFLOW, answered
  // 431 by the client error handler above) before Fastify sees it: nothing to count per request.
  server.maxHeadersCount = limits.maxHeaders;
  if (limits.maxConnectionsPerIp > 0) {
    capConnectionsPerIp(server, limits.maxConnectionsPerIp, trustedProxies);
  }
  return (request, reply) => {
    const raw = request.raw;
    if ((raw.socket as { [OVER_CAP]?: true } | null)?.[OVER_CAP] === true) {
      reply.header('connection', 'close');
      return new TooManyConnectionsError(limits.maxConnectionsPerIp);
    }
    const violation = pathRuleViolation(raw.url ?? '/', paths.semicolons);
    if (violation !== undefined) return new InvalidPathError(violation);
    return undefined;
  };
}
