import { Counter, register } from 'prom-client';

export interface AuthMetrics {
  /** Refused requests by reason (missing, malformed, expired, unknown_key, insufficient...). */
  readonly rejections: Counter<'reason'>;
  /** JWKS/discovery fetches by outcome; flat in steady state. */
  readonly jwksFetches: Counter<'outcome'>;
  /** Bearer token lookups in the verified-token cache: `hit` skips verification, `miss` does it. */
  readonly tokenCache: Counter<'result'>;
}

let metrics: AuthMetrics | undefined;

function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  // Several apps may share one process (tests): reuse what an earlier one registered.
  return (
    (register.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

/** The auth lib's metrics on prom-client's default register, created once per process. */
export function authMetrics(): AuthMetrics {
  metrics ??= {
    rejections: counter(
      'bff_auth_rejections_total',
      'Requests refused by authentication or authorization',
      ['reason'],
    ),
    jwksFetches: counter('bff_auth_jwks_fetches_total', 'Discovery/JWKS fetches of OIDC issuers', [
      'outcome',
    ]),
    tokenCache: counter(
      'bff_auth_token_cache_total',
      'Bearer token lookups in the verified-token cache',
      ['result'],
    ),
  };
  return metrics;
}
