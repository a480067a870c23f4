import { Counter, register } from 'prom-client';

function counter<T extends string>(name: string, help: string, labelNames: T[] = []): Counter<T> {
  // Several apps in one process (tests) share the default registry: reuse what exists.
  const existing = register.getSingleMetric(name);
  if (existing !== undefined) return existing as Counter<T>;
  return new Counter({ name, help, labelNames });
}

/** Session metrics on prom-client's default registry. */
export const sessionMetrics = {
  logins: counter('bff_session_logins_total', 'Completed browser logins'),
  logouts: counter('bff_session_logouts_total', 'Browser logouts'),
  refreshes: counter(
    'bff_session_refreshes_total',
    'Access token refreshes at the IdP by outcome (ok, rejected, error)',
    ['outcome'],
  ),
};
