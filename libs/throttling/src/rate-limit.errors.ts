import { BffError } from '@app/core';

/** The caller has spent its tokens; answered 429 with `Retry-After`. */
export class RateLimitedError extends BffError {
  readonly status = 429;
  readonly code = 'RATE_LIMITED';

  constructor(violated: string, retryAfterMs: number) {
    super(`Rate limit exceeded (${violated}); retry later`);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  }
}

/**
 * The request costs more tokens than the caller's `limit` can ever hold: no wait makes it fit, so
 * there is no `Retry-After` (a client honouring it would only retry in vain). Same code as any
 * other refusal, so clients need no new case; the message says to send something cheaper.
 */
export class RateLimitCostTooHighError extends BffError {
  readonly status = 429;
  readonly code = 'RATE_LIMITED';

  constructor(limit: string, cost: number) {
    super(
      `This request costs ${cost} rate-limit tokens, more than the ${limit} limit can ever hold; send a cheaper request`,
    );
  }
}

/** The shared limiter store is unavailable and the route fails closed. */
export class RateLimitStoreUnavailableError extends BffError {
  readonly status = 503;
  readonly code = 'RATE_LIMIT_UNAVAILABLE';

  constructor() {
    super('Rate limiting is temporarily unavailable; retry later');
    this.retryAfterSeconds = 1;
  }
}
