import { BffError } from '@app/core';

/** The downstream's circuit is open: the call was refused without touching the service. */
export class CircuitOpenError extends BffError {
  readonly status = 503;
  readonly code = 'CIRCUIT_OPEN';

  constructor(service: string, retryAfterSeconds: number) {
    super(`Downstream ${service} is temporarily unavailable`, service);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Every slot and queue place of the downstream's bulkhead is taken: the call failed fast. */
export class BulkheadFullError extends BffError {
  readonly status = 503;
  readonly code = 'DOWNSTREAM_SATURATED';

  constructor(service: string, retryAfterSeconds = 1) {
    super(`Downstream ${service} is saturated`, service);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
