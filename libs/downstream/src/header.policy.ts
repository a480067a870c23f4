import type { HeaderPolicyConfig } from '@app/config';
import type { IncomingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1 connection-specific headers, plus the proxy ones: never forwarded. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Never forwarded, in any spelling (names are compared lower-cased with `_` folded to `-`, as
 * Rails, Django, PHP and CGI read them):
 * - hop-by-hop and connection-level headers (`Host` is the downstream's, set by the transport);
 * - credentials: they stay at the BFF, downstreams get the verified identity instead;
 * - identity, tenant and client-address claims only the BFF may make;
 * - request-rewriting and method-override headers, which make some servers route or dispatch by
 *   a header instead of the request line.
 */
const RESERVED: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP_HEADERS,
  'host',
  'expect',
  'http2-settings',
  'authorization',
  'cookie',
  'x-api-key',
  'x-csrf',
  'x-org-id',
  'forwarded',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-cluster-client-ip',
  'x-original-url',
  'x-rewrite-url',
  'x-original-host',
  'x-host',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);

/** Name prefixes only the BFF may use: `X-User-*`, `X-Internal-*`, `X-BFF-*`, `X-Auth-*`, `X-Forwarded-*`. */
const RESERVED_PREFIXES: readonly string[] = [
  'x-user-',
  'x-internal-',
  'x-bff-',
  'x-auth-',
  'x-forwarded-',
];

/**
 * Headers the downstream pipeline sets itself on every call (request id, trace context, time
 * budget): a client's copy is dropped from what is forwarded, the pipeline's own kept.
 */
const PIPELINE_OWNED: ReadonlySet<string> = new Set([
  'x-request-id',
  'traceparent',
  'x-request-timeout-ms',
]);

/** Dropped from client headers: one lookup on the hot path. */
const CLIENT_DROPPED: ReadonlySet<string> = new Set([...RESERVED, ...PIPELINE_OWNED]);

/** What the pass-through proxy adds after filtering the client's headers; kept on its calls. */
const PROXY_FORWARDING: ReadonlySet<string> = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
]);

/** Lower case with `_` folded to `-`; allocates only for names that need it. */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return lower.includes('_') ? lower.replaceAll('_', '-') : lower;
}

function hasReservedPrefix(canonical: string): boolean {
  // Only "x-..." names can match a prefix: skip the loop for the rest.
  if (canonical.charCodeAt(0) !== 0x78 || canonical.charCodeAt(1) !== 0x2d) return false;
  for (const prefix of RESERVED_PREFIXES) if (canonical.startsWith(prefix)) return true;
  return false;
}

/** Whether a canonical name is reserved to the BFF. */
function isReserved(canonical: string): boolean {
  return RESERVED.has(canonical) || hasReservedPrefix(canonical);
}

/**
 * Canonical names a `Connection` header lists (hop-by-hop for this message only), leaving out
 * those dropped anyway; undefined when none is left, as for the usual `keep-alive` or `close`.
 */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  if (joined.length <= 10) {
    const plain = joined.toLowerCase();
    if (plain === 'keep-alive' || plain === 'close') return undefined;
  }
  let tokens: Set<string> | undefined;
  for (const token of joined.split(',')) {
    const name = canonicalHeaderName(token.trim());
    if (name === '' || name === 'close' || HOP_BY_HOP_HEADERS.has(name)) continue;
    (tokens ??= new Set()).add(name);
  }
  return tokens;
}

/**
 * The one policy for every header a BFF forwards to a downstream, used by the pass-through proxy
 * (@app/routing `forwardRequestHeaders`) and by the downstream pipeline of every call, aggregated
 * ones included (`userContextMiddleware`). Rules, in order:
 * 1. reserved names (hop-by-hop, credentials, identity, client address, rewriting, method
 *    override; see above) and the names a `Connection` header lists are dropped, compared after
 *    folding case and `_` to `-`, so `X_User_Id`, `x_user_roles` and `X-User_Id` are all `x-user-id`;
 * 2. any other name containing `_` is dropped unless allow-listed (`BFF_HEADER_UNDERSCORE_ALLOW`),
 *    as nginx does by default (`underscores_in_headers off`);
 * 3. from clients, the headers the pipeline sets itself (request id, trace, budget) are dropped.
 * Built once; per header the cost is a lower-case, one or two set lookups and, for `x-` names, a
 * few prefix checks. The header count is bounded before this runs (`BFF_MAX_HEADERS`, 431).
 */
export class HeaderPolicy {
  private readonly underscoreAllowed: ReadonlySet<string>;

  constructor(config: HeaderPolicyConfig = { underscoreAllowList: [] }) {
    this.underscoreAllowed = new Set(config.underscoreAllowList.map((n) => n.toLowerCase()));
  }

  /** Whether a header a client sent may be forwarded (`name` in any case). */
  allowsClientHeader(name: string): boolean {
    return this.allowsLowerCase(name.toLowerCase());
  }

  /**
   * The client's headers a downstream may get (pass-through proxy): everything the policy allows,
   * multi-valued headers joined. `content-type` and the forwarding headers are the caller's to add.
   */
  clientHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
    const out: Record<string, string> = {};
    const named = connectionTokens(incoming.connection);
    // Node hands header names over lower-cased.
    for (const name in incoming) {
      let canonical = name;
      if (name.includes('_')) {
        if (!this.allowsUnderscoreName(name)) continue;
        canonical = name.replaceAll('_', '-');
      } else if (CLIENT_DROPPED.has(name) || hasReservedPrefix(name)) {
        continue;
      }
      if (named !== undefined && named.has(canonical)) continue;
      const value = incoming[name];
      if (value === undefined) continue;
      out[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return out;
  }

  /**
   * Removes in place, from the headers of a call about to go downstream, whatever the policy
   * refuses (any letter case, any spelling). Headers the pipeline sets itself are kept; so are
   * the proxy's `X-Forwarded-For/-Proto/-Host` on pass-through calls (`passThrough`), which it
   * wrote after dropping the client's own.
   */
  sanitize(headers: Record<string, string>, passThrough = false): void {
    let named: Set<string> | undefined;
    for (const name in headers) {
      if (name.length === 10 && name.toLowerCase() === 'connection') {
        named = connectionTokens(headers[name]);
        break;
      }
    }
    for (const name of Object.keys(headers)) {
      const lower = name.toLowerCase();
      const keep = lower.includes('_')
        ? this.allowsUnderscoreName(lower)
        : (passThrough && PROXY_FORWARDING.has(lower)) || !isReserved(lower);
      if (!keep || named?.has(canonicalHeaderName(lower)) === true) delete headers[name];
    }
  }

  private allowsLowerCase(lower: string): boolean {
    if (lower.includes('_')) return this.allowsUnderscoreName(lower);
    return !CLIENT_DROPPED.has(lower) && !hasReservedPrefix(lower);
  }

  /** Allow-listed, and not the `_` spelling of a reserved or pipeline-owned name. */
  private allowsUnderscoreName(lower: string): boolean {
    if (!this.underscoreAllowed.has(lower)) return false;
    const folded = lower.replaceAll('_', '-');
    return !CLIENT_DROPPED.has(folded) && !hasReservedPrefix(folded);
  }
}
