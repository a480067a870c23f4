import { Counter, register } from 'prom-client';

// Several apps can live in one process (tests): reuse a metric already registered.
function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  return (
    (register.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

/** Rate-limit metrics on prom-client's default registry. */
export const rateLimitMetrics = {
  limited: counter('bff_rate_limited_total', 'Requests refused with 429, by tier', ['tier']),
  storeErrors: counter(
    'bff_rate_limit_store_errors_total',
    'Limit checks the shared store could not answer, by failure mode applied',
    ['mode'],
  ),
};
