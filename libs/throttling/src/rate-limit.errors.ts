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

/** The shared limiter store is unavailable and the route fails closed. */
export class RateLimitStoreUnavailableError extends BffError {
  readonly status = 503;
  readonly code = 'RATE_LIMIT_UNAVAILABLE';

  constructor() {
    super('Rate limiting is temporarily unavailable; retry later');
    this.retryAfterSeconds = 1;
  }
}
