import type { DownstreamTokenConfig } from '@app/config';
import { type Principal, RequestContextStore } from '@app/core';
import { createHmac } from 'node:crypto';
import type { DownstreamMiddleware } from './downstream.types';
import { HeaderPolicy } from './header.policy';

export const USER_ID_HEADER = 'x-user-id';
export const USER_ROLES_HEADER = 'x-user-roles';
export const ORG_ID_HEADER = 'x-org-id';
export const INTERNAL_TOKEN_HEADER = 'x-internal-token';

/** The client's idempotency key, forwarded on its mutating calls (see {@link userContextMiddleware}). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

const DEFAULT_POLICY = new HeaderPolicy();

/**
 * Removes every header a downstream must not get from a client (any letter case, any spelling,
 * any number of copies, plus whatever a `Connection` header names): {@link HeaderPolicy} with its
 * defaults. The pipeline uses the configured policy ({@link userContextMiddleware}).
 */
export function sanitizeHeaders(headers: Record<string, string>): void {
  DEFAULT_POLICY.sanitize(headers);
}

/** Methods whose calls carry the client's `Idempotency-Key` (the others are idempotent already). */
const MUTATING = new Set(['POST', 'PATCH']);

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
 * Trusted context for downstreams: applies the {@link HeaderPolicy} (client-controlled identity,
 * internal, credential, rewriting and hop-by-hop headers go, in every spelling), then sets
 * `X-User-Id`, `X-User-Roles`, `X-Org-Id` (and, when configured, a signed `X-Internal-Token`) from
 * the request's verified principal; anonymous calls carry none. A POST or PATCH call made while
 * serving a client request that carried an `Idempotency-Key` gets that key (unless the code set
 * one), which also makes it eligible for retries (@app/resilience `isRetryableRequest`, below).
 */
export function userContextMiddleware(
  downstreamToken?: DownstreamTokenConfig,
  policy: HeaderPolicy = DEFAULT_POLICY,
): DownstreamMiddleware {
  return (next) => (call) => {
    policy.sanitize(call.headers, call.passThrough === true);
    const ctx = RequestContextStore.current();
    if (
      ctx?.idempotencyKey !== undefined &&
      MUTATING.has(call.method) &&
      call.headers[IDEMPOTENCY_KEY_HEADER] === undefined &&
      call.headers['Idempotency-Key'] === undefined
    ) {
      call.headers[IDEMPOTENCY_KEY_HEADER] = ctx.idempotencyKey;
    }
    const principal = ctx?.principal;
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
