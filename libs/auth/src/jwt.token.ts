import type { Principal, Tier } from '@app/core';
import { InvalidCredentialsError } from './auth.errors';

/** The JOSE header fields the lib looks at. */
export interface JoseHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly crit?: unknown;
}

/** Registered and custom claims the lib reads; everything else is ignored. */
export interface JwtClaims {
  readonly iss?: unknown;
  readonly sub?: unknown;
  readonly aud?: unknown;
  readonly exp?: unknown;
  readonly nbf?: unknown;
  readonly iat?: unknown;
  readonly roles?: unknown;
  readonly scope?: unknown;
  readonly scp?: unknown;
  readonly tier?: unknown;
  readonly org_id?: unknown;
  readonly azp?: unknown;
  readonly client_id?: unknown;
  readonly [claim: string]: unknown;
}

/** A token split and decoded but NOT verified: only used to pick the issuer's configuration. */
export interface DecodedJwt {
  readonly raw: string;
  readonly header: JoseHeader;
  readonly payload: JwtClaims;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (!SEGMENT.test(segment))
    throw new InvalidCredentialsError(`Malformed token ${what}`, 'malformed');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCredentialsError(`Malformed token ${what}`, 'malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidCredentialsError(`Malformed token ${what}`, 'malformed');
  }
  return value as Record<string, unknown>;
}

/**
 * Splits a compact JWS and decodes header and payload, refusing oversized input before any work,
 * `alg: none` and `crit` extensions (RFC 7515 §4.1.11: unknown critical extensions must fail).
 */
/** The `exp` (epoch ms) of a token nobody verified (one handed in to be revoked), if readable. */
export function unverifiedExpiry(raw: string): number | undefined {
  try {
    const exp = decodeSegment(raw.split('.')[1] ?? '', 'payload').exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export function decodeJwt(raw: string, maxBytes: number): DecodedJwt {
  if (raw.length > maxBytes)
    throw new InvalidCredentialsError('The token is too large', 'too_large');
  const parts = raw.split('.');
  if (parts.length !== 3 || parts[2] === '') {
    throw new InvalidCredentialsError('Malformed token', 'malformed');
  }
  const header = decodeSegment(parts[0], 'header');
  const payload = decodeSegment(parts[1], 'payload');
  if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') {
    throw new InvalidCredentialsError('Unsigned tokens are not accepted', 'bad_alg');
  }
  if (header.crit !== undefined) {
    throw new InvalidCredentialsError('Unsupported critical header', 'malformed');
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw new InvalidCredentialsError('Malformed token header', 'malformed');
  }
  if (header.typ !== undefined && typeof header.typ !== 'string') {
    throw new InvalidCredentialsError('Malformed token header', 'malformed');
  }
  return { raw, header: header as unknown as JoseHeader, payload };
}

const AT_JWT = new Set(['at+jwt', 'application/at+jwt']);

/**
 * RFC 8725 §3.11 explicit typing. `typ` must be an accepted type (a missing `typ` counts as `JWT`).
 * `at+jwt` is an access token by declaration (RFC 9068); any other accepted type must also look
 * like one: RFC 9068 §2.2 requires `client_id`, which ID tokens never carry, and ID-token-only
 * claims (`nonce`, `at_hash`, `c_hash`, Cognito's `token_use: id`) are refused. This matters when an
 * OIDC client id equals a BFF audience: an ID token would otherwise pass the `aud` check.
 */
export function assertAccessToken(token: DecodedJwt, acceptedTypes: readonly string[]): void {
  const typ = (token.header.typ ?? 'JWT').toLowerCase();
  if (!acceptedTypes.some((t) => t.toLowerCase() === typ)) {
    throw new InvalidCredentialsError('The token is not an access token', 'bad_type');
  }
  const p = token.payload;
  if (
    p.nonce !== undefined ||
    p.at_hash !== undefined ||
    p.c_hash !== undefined ||
    p.token_use === 'id' ||
    (!AT_JWT.has(typ) && typeof p.client_id !== 'string')
  ) {
    throw new InvalidCredentialsError('ID tokens are not access tokens', 'bad_type');
  }
}

/** Printable, header-safe values: they travel downstream as `X-User-*` headers. */
const SAFE_SUBJECT = /^[\x21-\x7e]{1,256}$/;
const SAFE_NAME = /^[A-Za-z0-9_.:/@-]{1,128}$/;
/** `anonymous` is what the throttler uses for no principal; a token never claims it. */
const TIERS: readonly Tier[] = ['standard', 'premium', 'internal'];

function names(value: unknown): string[] {
  const list =
    typeof value === 'string'
      ? value.split(' ')
      : Array.isArray(value)
        ? value.filter((v): v is string => typeof v === 'string')
        : [];
  // Dropping an unusable name can only take rights away, never grant one.
  return list.filter((n) => SAFE_NAME.test(n));
}

/** Builds the verified caller from checked claims. */
export function principalFromClaims(
  claims: JwtClaims,
  kind: 'user' | 'service',
  tierOverride?: Tier,
): Principal {
  if (typeof claims.sub !== 'string' || !SAFE_SUBJECT.test(claims.sub)) {
    throw new InvalidCredentialsError('The token has no usable subject', 'claims');
  }
  if (typeof claims.exp !== 'number') {
    throw new InvalidCredentialsError('The token has no expiry', 'claims');
  }
  const tier =
    tierOverride ??
    (TIERS.includes(claims.tier as Tier) ? (claims.tier as Tier) : ('standard' as const));
  const orgId =
    typeof claims.org_id === 'string' && SAFE_NAME.test(claims.org_id) ? claims.org_id : undefined;
  const client = claims.azp ?? claims.client_id;
  return {
    subject: claims.sub,
    kind,
    roles: names(claims.roles),
    scopes: names(claims.scope ?? claims.scp),
    tier,
    orgId,
    clientName: typeof client === 'string' && SAFE_NAME.test(client) ? client : undefined,
  };
}
