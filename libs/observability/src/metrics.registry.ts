import { Counter, Gauge, Histogram, collectDefaultMetrics, register } from 'prom-client';

/*
 * Several apps can live in one process (e2e tests), all on prom-client's default registry:
 * metrics are fetched when already registered, never registered twice.
 */

export function getOrCreateCounter<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  return (
    (register.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

export function getOrCreateGauge<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
): Gauge<L> {
  return (
    (register.getSingleMetric(name) as Gauge<L> | undefined) ??
    new Gauge({ name, help, labelNames })
  );
}

export function getOrCreateHistogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
): Histogram<L> {
  return (
    (register.getSingleMetric(name) as Histogram<L> | undefined) ??
    new Histogram({ name, help, labelNames, buckets })
  );
}

/** Process metrics (CPU, memory, event loop lag, GC), once per process, under their standard names. */
export function collectProcessMetricsOnce(): void {
  if (register.getSingleMetric('process_cpu_user_seconds_total') === undefined) {
    collectDefaultMetrics();
  }
}

/** Seconds; BFF answers are expected in tens of milliseconds, deadlines are a few seconds. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The route label of requests that matched no route: one value, so scanners cannot blow up cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';

export type DownstreamOutcome =
  'success' | 'client_error' | 'bad_response' | 'unavailable' | 'timeout' | 'cancelled' | 'error';

/** The HTTP and downstream metrics of one app, bound to its `app` label. */
export class BffMetrics {
  private readonly requests = getOrCreateCounter(
    'bff_http_requests_total',
    'HTTP requests answered, by app, route pattern, method and status',
    ['app', 'route', 'method', 'status'],
  );
  private readonly duration = getOrCreateHistogram(
    'bff_http_request_duration_seconds',
    'Time from request arrival to response end, by app, route pattern, method and status',
    ['app', 'route', 'method', 'status'],
    LATENCY_BUCKETS,
  );
  private readonly inFlight = getOrCreateGauge(
    'bff_http_in_flight_requests',
    'Requests received and not answered yet',
    ['app'],
  );
  private readonly downstreamRequests = getOrCreateCounter(
    'bff_downstream_requests_total',
    'Requests sent to downstream services (each retry counts), by service and outcome',
    ['app', 'service', 'outcome'],
  );
  private readonly downstreamDuration = getOrCreateHistogram(
    'bff_downstream_request_duration_seconds',
    'Duration of downstream requests (whole response; headers only when streamed), by service and outcome',
    ['app', 'service', 'outcome'],
    LATENCY_BUCKETS,
  );
  private readonly inFlightChild: { inc(value?: number): void; dec(): void };

  constructor(private readonly app: string) {
    this.inFlightChild = this.inFlight.labels(app);
    // Present from the first scrape, before any traffic.
    this.inFlightChild.inc(0);
  }

  requestStarted(): void {
    this.inFlightChild.inc();
  }

  requestEnded(route: string, method: string, status: number, seconds: number): void {
    this.inFlightChild.dec();
    const labels = { app: this.app, route, method, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  downstreamCall(service: string, outcome: DownstreamOutcome, seconds: number): void {
    const labels = { app: this.app, service, outcome };
    this.downstreamRequests.inc(labels);
    this.downstreamDuration.observe(labels, seconds);
  }
}
