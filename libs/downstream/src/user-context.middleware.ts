import type { DownstreamTokenConfig } from '@app/config';
import { type Principal, RequestContextStore } from '@app/core';
import { createHmac } from 'node:crypto';
import type { DownstreamMiddleware } from './downstream.types';

export const USER_ID_HEADER = 'x-user-id';
export const USER_ROLES_HEADER = 'x-user-roles';
export const ORG_ID_HEADER = 'x-org-id';
export const INTERNAL_TOKEN_HEADER = 'x-internal-token';

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

/** Client credentials stay at the BFF: downstreams get the verified identity instead. */
const CREDENTIALS = new Set(['authorization', 'cookie', 'x-api-key', 'x-csrf', ORG_ID_HEADER]);

/** Identity and internal headers only the BFF may set: `X-User-*`, `X-Internal-*`. */
const RESERVED_PREFIXES = ['x-user-', 'x-internal-'];

function isStripped(lower: string): boolean {
  return (
    HOP_BY_HOP_HEADERS.has(lower) ||
    CREDENTIALS.has(lower) ||
    RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))
  );
}

/**
 * Removes every header a downstream must not get from a client (any letter case, any number of
 * copies, plus whatever a `Connection` header names), then sets the caller's identity from the
 * verified principal only. Services build their headers themselves, but pass-through routes copy
 * client headers, so this runs on every call.
 */
export function sanitizeHeaders(headers: Record<string, string>): void {
  const connection = Object.entries(headers).find(([name]) => name.toLowerCase() === 'connection');
  const named = new Set(
    (connection?.[1] ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (isStripped(lower) || named.has(lower)) delete headers[name];
  }
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

const HEADER_SEGMENT = b64url({ alg: 'HS256', typ: 'JWT' });

/** A short-lived HS256 assertion of the caller for the downstream named `aud`. */
export function signInternalToken(
  principal: Principal,
  audience: string,
  config: DownstreamTokenConfig,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const payload = b64url({
    iss: config.issuer,
    aud: audience,
    sub: principal.subject,
    kind: principal.kind,
    roles: principal.roles,
    scope: principal.scopes.join(' '),
    tier: principal.tier,
    org_id: principal.orgId,
    client_id: principal.clientName,
    iat: nowSeconds,
    exp: nowSeconds + config.ttlSeconds,
  });
  const input = `${HEADER_SEGMENT}.${payload}`;
  return `${input}.${createHmac('sha256', config.secret).update(input).digest('base64url')}`;
}

/**
 * Trusted user context for downstreams: strips client-controlled identity, internal, credential
 * and hop-by-hop headers, then sets `X-User-Id`, `X-User-Roles`, `X-Org-Id` (and, when configured,
 * a signed `X-Internal-Token`) from the request's verified principal; anonymous calls carry none.
 */
export function userContextMiddleware(
  downstreamToken?: DownstreamTokenConfig,
): DownstreamMiddleware {
  return (next) => (call) => {
    sanitizeHeaders(call.headers);
    const principal = RequestContextStore.current()?.principal;
    if (principal !== undefined) {
      // Values were checked to be header-safe when the principal was verified.
      call.headers[USER_ID_HEADER] = principal.subject;
      call.headers[USER_ROLES_HEADER] = principal.roles.join(',');
      if (principal.orgId !== undefined) call.headers[ORG_ID_HEADER] = principal.orgId;
      if (downstreamToken !== undefined) {
        call.headers[INTERNAL_TOKEN_HEADER] = signInternalToken(
          principal,
          call.service.name,
          downstreamToken,
        );
      }
    }
    return next(call);
  };
}
