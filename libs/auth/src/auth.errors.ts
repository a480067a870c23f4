import { BffError } from '@app/core';

/** RFC 6750 error codes carried in `WWW-Authenticate`. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** Base of the auth lib's errors: the guard turns `challenge` into a `WWW-Authenticate` header. */
export abstract class AuthError extends BffError {
  /** RFC 6750 error of the challenge; absent when the request simply carried no credential. */
  abstract readonly challenge: BearerErrorCode | undefined;
  /** Why, for metrics and logs (never sent as such). */
  readonly reason: string;

  constructor(message: string, reason: string) {
    super(message);
    this.reason = reason;
  }
}

/** No credential on a route that needs one. */
export class MissingCredentialsError extends AuthError {
  readonly status = 401;
  readonly code = 'UNAUTHORIZED';
  readonly challenge = undefined;
  constructor() {
    super('Authentication is required', 'missing');
  }
}

/** A presented bearer token, API key or session is not acceptable. */
export class InvalidCredentialsError extends AuthError {
  readonly status = 401;
  readonly code = 'INVALID_TOKEN';
  readonly challenge = 'invalid_token' as const;
}

/** A valid token (or API key) that was revoked: its `jti`, its subject or its client. */
export class TokenRevokedError extends AuthError {
  readonly status = 401;
  readonly code = 'TOKEN_REVOKED';
  readonly challenge = 'invalid_token' as const;
  constructor() {
    super('The credential was revoked', 'revoked');
  }
}

/** Ambiguous credentials (a bearer token and an API key at once, a malformed header). */
export class InvalidAuthRequestError extends AuthError {
  readonly status = 400;
  readonly code = 'INVALID_AUTH_REQUEST';
  readonly challenge = 'invalid_request' as const;
}

/** The caller is known but lacks a role or scope the route requires. */
export class InsufficientScopeError extends AuthError {
  readonly status = 403;
  readonly code = 'INSUFFICIENT_SCOPE';
  readonly challenge = 'insufficient_scope' as const;
  constructor(
    message: string,
    /** Scopes the route requires, echoed in the challenge's `scope` parameter. */
    readonly requiredScopes: readonly string[] = [],
  ) {
    super(message, 'insufficient');
  }
}

/** The issuer's keys could not be obtained, so no token of it can be checked right now. */
export class AuthProviderUnavailableError extends AuthError {
  readonly status = 503;
  readonly code = 'AUTH_PROVIDER_UNAVAILABLE';
  readonly challenge = undefined;
  constructor(retryAfterSeconds: number) {
    super('The identity provider is unavailable', 'provider_unavailable');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The audit trail could not record a mutating admin request, so its outcome is withheld. */
export class AuditUnavailableError extends BffError {
  readonly status = 503;
  readonly code = 'AUDIT_UNAVAILABLE';
}

/**
 * A resource that exists but belongs to someone else. Answered exactly like a missing one (404
 * NOT_FOUND, same message), so ids of other users' resources cannot be probed.
 */
export class NotOwnerError extends BffError {
  readonly status = 404;
  readonly code = 'NOT_FOUND';
  constructor() {
    super('Resource not found');
  }
}
