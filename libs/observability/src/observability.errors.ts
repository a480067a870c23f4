import { BffError } from '@app/core';

/** `/metrics` of a cluster worker could not get the primary's aggregate in time. */
export class MetricsUnavailableError extends BffError {
  readonly status = 503;
  readonly code = 'METRICS_UNAVAILABLE';
}
