import { availableParallelism } from 'node:os';
import type { EnvReader } from './env-reader';

/** Operations of every BFF (libs/observability, runBff): tracing, logs, metrics, health, shutdown, workers. */
export interface ObservabilityConfig {
  /**
   * Where spans are exported (OTLP over HTTP, protobuf): `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as is,
   * else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. Undefined = no tracing SDK at all (ids are
   * still generated and propagated).
   */
  readonly otlpTracesUrl: string | undefined;
  /** `OTEL_SERVICE_NAME`: `service.name` of exported spans; undefined = the app name (web-bff...). */
  readonly serviceName: string | undefined;
  /** `OTEL_TRACES_SAMPLER_ARG`: share of new traces recorded (0..1); an inbound sampled flag wins. */
  readonly sampleRatio: number;
  /** `LOG_REQUESTS`: one JSON line per request (health probes and scrapes excepted). */
  readonly logRequests: boolean;
  /** `LOG_REQUEST_HEADERS`: add the request headers (secrets redacted) to the request line. */
  readonly logRequestHeaders: boolean;
  /** `METRICS_ENABLED`: serve `/metrics` and record the HTTP and downstream metrics. */
  readonly metricsEnabled: boolean;
  /**
   * `HEALTH_CRITICAL_SERVICES`: downstreams whose `/health` gates readiness (`none` for none);
   * undefined = the app's default (catalog for web and mobile, users and orders for admin).
   */
  readonly healthCriticalServices: readonly string[] | undefined;
  /** `HEALTH_TIMEOUT_MS`: longest wait for one readiness check (Redis ping, downstream /health). */
  readonly healthTimeoutMs: number;
  /** `HEALTH_CACHE_MS`: a check result is reused this long, so frequent probes cost nothing (0 = off). */
  readonly healthCacheMs: number;
  /**
   * `SHUTDOWN_DELAY_MS`: on SIGTERM, the listener stays open this long while readiness answers 503
   * and every response carries `Connection: close`, so probes and balancers see the drain.
   * Default {@link PRODUCTION_SHUTDOWN_DELAY_MS} with `NODE_ENV=production`, else 0.
   */
  readonly shutdownDelayMs: number;
  /**
   * `SHUTDOWN_TIMEOUT_MS`: hard deadline of the rest of a graceful shutdown, counted from the end
   * of the delay; hung work is cut and the exit code is 1.
   */
  readonly shutdownTimeoutMs: number;
  /** `BFF_WORKERS`: worker processes per app (node:cluster); `auto` = one per core. */
  readonly workers: number;
}

const SERVICE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Production default of `SHUTDOWN_DELAY_MS`. A Kubernetes readiness probe with `periodSeconds: 5`
 * sees the 503 at least once (`failureThreshold: 1`) and usually twice, and kube-proxy and
 * ingresses have dropped the terminating pod's endpoint well before the listener closes. Delay plus
 * the 10 s `SHUTDOWN_TIMEOUT_MS` fit the default 30 s `terminationGracePeriodSeconds`.
 */
export const PRODUCTION_SHUTDOWN_DELAY_MS = 10_000;

function otlpUrl(r: EnvReader): string | undefined {
  const traces = r.urls('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', [], ['http:', 'https:'])[0];
  if (traces !== undefined) return traces;
  const base = r.urls('OTEL_EXPORTER_OTLP_ENDPOINT', [], ['http:', 'https:'])[0];
  return base === undefined ? undefined : `${base}/v1/traces`;
}

function readWorkers(r: EnvReader): number {
  const value = r.raw('BFF_WORKERS');
  if (value?.toLowerCase() === 'auto') return availableParallelism();
  return r.int('BFF_WORKERS', 1, 1, 256);
}

function readCritical(r: EnvReader, services: readonly string[]): string[] | undefined {
  if (r.raw('HEALTH_CRITICAL_SERVICES')?.toLowerCase() === 'none') return [];
  const list = r.list('HEALTH_CRITICAL_SERVICES', []);
  if (list.length === 0) return undefined;
  for (const name of list) {
    if (!services.includes(name)) {
      r.problems.push(
        `HEALTH_CRITICAL_SERVICES names "${name}", which is not a downstream service (${services.join(', ')})`,
      );
    }
  }
  return list;
}

/** Reads the operations variables; with none set, nothing is exported and one worker runs. */
export function readObservabilityConfig(
  r: EnvReader,
  services: readonly string[],
): ObservabilityConfig {
  const serviceName = r.raw('OTEL_SERVICE_NAME');
  if (serviceName !== undefined && !SERVICE_NAME.test(serviceName)) {
    r.problems.push(
      `OTEL_SERVICE_NAME must be 1-64 letters, digits or "._-" (got "${serviceName}")`,
    );
  }
  return {
    otlpTracesUrl: otlpUrl(r),
    serviceName,
    sampleRatio: r.number('OTEL_TRACES_SAMPLER_ARG', 1, 0, 1),
    logRequests: r.bool('LOG_REQUESTS', true),
    logRequestHeaders: r.bool('LOG_REQUEST_HEADERS', false),
    metricsEnabled: r.bool('METRICS_ENABLED', true),
    healthCriticalServices: readCritical(r, services),
    healthTimeoutMs: r.int('HEALTH_TIMEOUT_MS', 1_000, 10, 60_000),
    healthCacheMs: r.int('HEALTH_CACHE_MS', 1_000, 0, 600_000),
    shutdownDelayMs: r.int(
      'SHUTDOWN_DELAY_MS',
      r.raw('NODE_ENV') === 'production' ? PRODUCTION_SHUTDOWN_DELAY_MS : 0,
      0,
      300_000,
    ),
    shutdownTimeoutMs: r.int('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000),
    workers: readWorkers(r),
  };
}
