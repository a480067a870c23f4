import { HOP_BY_HOP_HEADERS } from '@app/downstream';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop headers (shared with the downstream pipeline) and others that describe one connection,
 * not the message.
 */
const HOP_BY_HOP = new Set([...HOP_BY_HOP_HEADERS, 'host', 'expect', 'http2-settings']);

/**
 * Client headers that must never reach a downstream through the proxy: identity is asserted by the
 * auth lib (downstream tokens, trusted `x-user-*`), the BFF's own session cookie stays at the BFF,
 * and trace/budget headers are set by the downstream pipeline.
 */
const REQUEST_DROPPED = new Set([
  'authorization',
  'cookie',
  'forwarded',
  'x-real-ip',
  'x-request-id',
  'traceparent',
  'x-request-timeout-ms',
]);
const REQUEST_DROPPED_PREFIXES = ['x-user-', 'x-internal-', 'x-bff-', 'x-forwarded-', 'x-auth-'];

/** Downstream headers that are not the client's business or that the BFF sets itself. */
const RESPONSE_DROPPED = new Set([
  'server',
  'x-powered-by',
  'x-request-id',
  'x-request-timeout-ms',
]);

/** Names listed in `Connection` are hop-by-hop too. */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  return new Set(joined.split(',').map((t) => t.trim().toLowerCase()));
}

function isDroppedRequestHeader(name: string): boolean {
  if (HOP_BY_HOP.has(name) || REQUEST_DROPPED.has(name)) return true;
  // Only names starting with "x-" can match the prefixes: skip the loop for the rest.
  if (name.charCodeAt(0) !== 0x78 || name.charCodeAt(1) !== 0x2d) return false;
  for (const p of REQUEST_DROPPED_PREFIXES) if (name.startsWith(p)) return true;
  return false;
}

export interface ForwardContext {
  /** The client's address as the BFF saw it (forwarded headers are not trusted). */
  clientIp: string;
  /** `Host` the client addressed. */
  host: string | undefined;
  protocol: 'http' | 'https';
  /** The original `Content-Type` when the routing hook masked it to keep the body unparsed. */
  contentType: string | undefined;
}

/** Headers sent downstream: the client's, minus hop-by-hop and internal ones, plus `x-forwarded-*`. */
export function forwardRequestHeaders(
  incoming: IncomingHttpHeaders,
  ctx: ForwardContext,
): Record<string, string> {
  const out: Record<string, string> = {};
  const named = connectionTokens(incoming.connection);
  for (const name in incoming) {
    if (isDroppedRequestHeader(name) || named?.has(name) === true) continue;
    const value = incoming[name];
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (ctx.contentType !== undefined) out['content-type'] = ctx.contentType;
  else delete out['content-type'];
  out['x-forwarded-for'] = ctx.clientIp;
  out['x-forwarded-proto'] = ctx.protocol;
  if (ctx.host !== undefined) out['x-forwarded-host'] = ctx.host;
  return out;
}

/** Headers returned to the client: the downstream's, minus hop-by-hop and internal ones. */
export function forwardResponseHeaders(
  upstream: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const named = connectionTokens(upstream.connection);
  for (const name in upstream) {
    if (HOP_BY_HOP.has(name) || RESPONSE_DROPPED.has(name) || named?.has(name) === true) continue;
    const value = upstream[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
