import type { EnvReader } from './env-reader';

/** When a downstream's circuit opens, and how it recovers. */
export interface BreakerSettings {
  /** Share of failed calls over the window (0.01..1) at which the circuit opens. */
  readonly failureRatio: number;
  /** Calls needed within the window before the ratio is considered at all. */
  readonly minCalls: number;
  /** Length of the sliding window the ratio is computed over, in ms. */
  readonly windowMs: number;
  /** Time an open circuit waits before letting probes through (half-open), in ms. */
  readonly halfOpenAfterMs: number;
  /** Probe calls let through while half-open; all must succeed to close the circuit again. */
  readonly halfOpenProbes: number;
}

/** Which failed calls are tried again, and how much retrying the downstream may receive. */
export interface RetrySettings {
  /** Attempts per call, the first one included (1 disables retries). */
  readonly maxAttempts: number;
  /** Cap of the first backoff; doubles each retry (full jitter: a random delay below the cap). */
  readonly baseDelayMs: number;
  /** Largest backoff cap, in ms. */
  readonly maxDelayMs: number;
  /** A retry is only made when at least this much of the budget is left after its backoff, in ms. */
  readonly minAttemptMs: number;
  /** Retries allowed as a fraction of the calls over the budget window (e.g. 0.2 = +20 % load). */
  readonly budgetRatio: number;
  /** Retries always allowed per second on top of the ratio, so low traffic can still retry. */
  readonly budgetMinPerSecond: number;
  /** Sliding window of the retry budget, in ms. */
  readonly budgetWindowMs: number;
}

/** Concurrency isolation of one downstream. */
export interface BulkheadSettings {
  /** Calls in flight at once to the service. */
  readonly maxConcurrent: number;
  /** Calls waiting for a slot; beyond it calls fail fast with 503. */
  readonly queue: number;
}

/** Resilience policies of one downstream service. */
export interface ServiceResilienceSettings {
  readonly breaker: BreakerSettings;
  readonly retry: RetrySettings;
  readonly bulkhead: BulkheadSettings;
}

/** Resilience section of the config: global defaults (`RESILIENCE_*`) and per-service values. */
export interface ResilienceConfig {
  /** Turns every policy off (calls still get deadlines and typed errors). */
  readonly enabled: boolean;
  /** Values from `RESILIENCE_*`, used where a service has no override. */
  readonly defaults: ServiceResilienceSettings;
  /** Effective settings per downstream service (`DOWNSTREAM_<NAME>_*` over the defaults). */
  readonly services: Readonly<Record<string, ServiceResilienceSettings>>;
}

type Reader = (suffix: string, fallback: number, min: number, max: number) => number;

function readSettings(
  r: EnvReader,
  prefix: string,
  base: ServiceResilienceSettings | undefined,
): ServiceResilienceSettings {
  const int: Reader = (suffix, fallback, min, max) =>
    r.int(`${prefix}_${suffix}`, fallback, min, max);
  const num: Reader = (suffix, fallback, min, max) =>
    r.number(`${prefix}_${suffix}`, fallback, min, max);
  const breaker: BreakerSettings = {
    failureRatio: num('BREAKER_FAILURE_RATIO', base?.breaker.failureRatio ?? 0.5, 0.01, 1),
    minCalls: int('BREAKER_MIN_CALLS', base?.breaker.minCalls ?? 20, 1, 1_000_000),
    windowMs: int('BREAKER_WINDOW_MS', base?.breaker.windowMs ?? 10_000, 100, 3_600_000),
    halfOpenAfterMs: int(
      'BREAKER_HALF_OPEN_AFTER_MS',
      base?.breaker.halfOpenAfterMs ?? 5_000,
      1,
      3_600_000,
    ),
    halfOpenProbes: int('BREAKER_HALF_OPEN_PROBES', base?.breaker.halfOpenProbes ?? 3, 1, 1_000),
  };
  const retry: RetrySettings = {
    maxAttempts: int('RETRY_MAX_ATTEMPTS', base?.retry.maxAttempts ?? 3, 1, 10),
    baseDelayMs: int('RETRY_BASE_DELAY_MS', base?.retry.baseDelayMs ?? 50, 0, 60_000),
    maxDelayMs: int('RETRY_MAX_DELAY_MS', base?.retry.maxDelayMs ?? 1_000, 0, 600_000),
    minAttemptMs: int('RETRY_MIN_ATTEMPT_MS', base?.retry.minAttemptMs ?? 50, 0, 600_000),
    budgetRatio: num('RETRY_BUDGET_RATIO', base?.retry.budgetRatio ?? 0.2, 0, 10),
    budgetMinPerSecond: num(
      'RETRY_BUDGET_MIN_PER_SECOND',
      base?.retry.budgetMinPerSecond ?? 10,
      0,
      1_000_000,
    ),
    budgetWindowMs: int(
      'RETRY_BUDGET_WINDOW_MS',
      base?.retry.budgetWindowMs ?? 10_000,
      1_000,
      3_600_000,
    ),
  };
  if (retry.maxDelayMs < retry.baseDelayMs) {
    r.problems.push(
      `${prefix}_RETRY_MAX_DELAY_MS (${retry.maxDelayMs}) must not be below ${prefix}_RETRY_BASE_DELAY_MS (${retry.baseDelayMs})`,
    );
  }
  const bulkhead: BulkheadSettings = {
    maxConcurrent: int(
      'BULKHEAD_MAX_CONCURRENT',
      base?.bulkhead.maxConcurrent ?? 256,
      1,
      1_000_000,
    ),
    queue: int('BULKHEAD_QUEUE', base?.bulkhead.queue ?? 64, 0, 1_000_000),
  };
  return { breaker, retry, bulkhead };
}

/**
 * Reads `RESILIENCE_*` (global defaults) and `DOWNSTREAM_<NAME>_{BREAKER,RETRY,BULKHEAD}_*`
 * (per-service overrides, same suffixes) for every service of the registry.
 */
export function readResilienceConfig(
  r: EnvReader,
  serviceNames: readonly string[],
): ResilienceConfig {
  const defaults = readSettings(r, 'RESILIENCE', undefined);
  const services: Record<string, ServiceResilienceSettings> = {};
  for (const name of serviceNames) {
    const prefix = `DOWNSTREAM_${name.toUpperCase().replace(/-/g, '_')}`;
    services[name] = readSettings(r, prefix, defaults);
  }
  return { enabled: r.bool('RESILIENCE_ENABLED', true), defaults, services };
}
