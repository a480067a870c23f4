/**
 * Typed errors of the BFF set. Each carries its HTTP status and a stable code; the one global
 * exception filter turns them into JSON. The `isBffError` marker works across package copies,
 * where `instanceof` may not.
 */
export abstract class BffError extends Error {
  readonly isBffError = true as const;
  abstract readonly status: number;
  abstract readonly code: string;
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  retryAfterSeconds?: number;
  /** Client-safe structured detail sent as the error body's `details` (e.g. schema violations). */
  details?: unknown;

  constructor(
    message: string,
    /** Downstream service involved, for logs and metrics; never sent to clients. */
    readonly service?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export function isBffError(error: unknown): error is BffError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { isBffError?: unknown }).isBffError === true
  );
}

/** A downstream answered with something unusable: 5xx, malformed body. */
export class BadUpstreamResponseError extends BffError {
  readonly status = 502;
  readonly code = 'BAD_UPSTREAM_RESPONSE';
}

/** A downstream could not be reached (refused, reset, DNS) or declared itself unavailable. */
export class DownstreamUnavailableError extends BffError {
  readonly status = 503;
  readonly code = 'DOWNSTREAM_UNAVAILABLE';
}

/** The endpoint's time budget ran out. */
export class DeadlineExceededError extends BffError {
  readonly status = 504;
  readonly code = 'DEADLINE_EXCEEDED';
}

/**
 * A downstream refused the request for a reason the client can act on (400, 404, 409, 422):
 * the status is mirrored, the downstream's message is not.
 */
export class DownstreamClientError extends BffError {
  readonly code: string;
  constructor(
    readonly status: number,
    service: string,
    message = defaultClientMessage(status),
  ) {
    super(message, service);
    this.code =
      status === 404 ? 'NOT_FOUND' : status === 409 ? 'CONFLICT' : 'REJECTED_BY_DOWNSTREAM';
  }
}

function defaultClientMessage(status: number): string {
  if (status === 404) return 'Resource not found';
  if (status === 409) return 'The request conflicts with the current state of the resource';
  return 'The request was rejected';
}
