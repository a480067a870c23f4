import { HOP_BY_HOP_HEADERS, HeaderPolicy } from '@app/downstream';
import type { IncomingHttpHeaders } from 'node:http';

/** Hop-by-hop headers (shared with the downstream pipeline) and others that describe one connection. */
const HOP_BY_HOP = new Set([...HOP_BY_HOP_HEADERS, 'http2-settings']);

/** Downstream headers that are not the client's business or that the BFF sets itself. */
const RESPONSE_DROPPED = new Set([
  'server',
  'x-powered-by',
  'x-request-id',
  'x-request-timeout-ms',
]);

/** The policy without an allow-list, for callers that pass none. */
const DEFAULT_POLICY = new HeaderPolicy();

/** Names listed in `Connection` are hop-by-hop too. */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  // What nearly every answer says: no header named, no Set built (about 1 % of a pass-through).
  if (joined.length <= 10) {
    const plain = joined.toLowerCase();
    if (plain === 'keep-alive' || plain === 'close') return undefined;
  }
  return new Set(joined.split(',').map((t) => t.trim().toLowerCase()));
}

export interface ForwardContext {
  /** The client's address as the BFF saw it (forwarded headers are not trusted). */
  clientIp: string;
  /** `Host` the client addressed. */
  host: string | undefined;
  protocol: 'http' | 'https';
  /** The original `Content-Type` when the routing hook masked it to keep the body unparsed. */
  contentType: string | undefined;
  /**
   * The forwarded-header policy (`DownstreamClient.headerPolicy`, built from `config.edge.headers`);
   * default: the same rules without an underscore allow-list.
   */
  policy?: HeaderPolicy;
}

/**
 * Headers sent downstream: the client's, filtered by the one {@link HeaderPolicy} (hop-by-hop,
 * identity, credential, client-address, rewriting and method-override headers in every spelling,
 * `_` names unless allow-listed), plus `x-forwarded-*` from what the BFF itself saw.
 */
export function forwardRequestHeaders(
  incoming: IncomingHttpHeaders,
  ctx: ForwardContext,
): Record<string, string> {
  const out = (ctx.policy ?? DEFAULT_POLICY).clientHeaders(incoming);
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
