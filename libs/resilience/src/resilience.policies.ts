import type { ServiceResilienceSettings } from '@app/config';
import {
  compose,
  type DownstreamCall,
  type DownstreamProxy,
  type PolicyLayers,
  type RawResponse,
} from '@app/downstream';
import { Logger } from '@nestjs/common';
import { DownstreamBulkhead } from './bulkhead.policy';
import { type CircuitStateName, DownstreamCircuitBreaker } from './circuit-breaker.policy';
import { serviceMetrics } from './resilience.metrics';
import { DownstreamRetry } from './retry.policy';

/** What `GET /ops/circuits` shows for one downstream. */
export interface CircuitSnapshot {
  service: string;
  state: CircuitStateName;
  /** When the circuit last opened (ISO 8601); absent if it never did. */
  openedAt?: string;
  /** Seconds until probes are let through, while open. */
  retryAfterSeconds?: number;
  /** Since start-up. */
  counters: {
    /** Calls made through the policies (first attempts). */
    calls: number;
    /** Attempts that failed in a way that means the service is unhealthy. */
    failures: number;
    /** Calls refused because the circuit was open (or its probes were all taken). */
    shortCircuited: number;
    retries: number;
    retryBudgetExhausted: number;
    bulkheadRejections: number;
    transitions: number;
  };
  bulkhead: { active: number; queued: number; maxConcurrent: number; queue: number };
  /** Calls and retries over the retry budget's window, and retries still allowed. */
  retryBudget: { calls: number; retries: number; available: number };
  settings: ServiceResilienceSettings;
}

export interface ServicePoliciesOptions {
  /** Source of backoff jitter (tests pin it). */
  random?: () => number;
  logger?: Logger;
}

/**
 * Retry, circuit breaker and bulkhead of one downstream service, built once at start-up and shared
 * by all its calls: three policy values, placed in the service's downstream stack by
 * `downstreamStack` (@app/downstream), which says why in that order.
 */
export class ServicePolicies {
  readonly retry: DownstreamRetry;
  readonly circuitBreaker: DownstreamCircuitBreaker;
  readonly bulkhead: DownstreamBulkhead;
  /** The three as the stack's slots. */
  readonly layers: Required<Pick<PolicyLayers, 'retry' | 'circuitBreaker' | 'bulkhead'>>;

  constructor(
    readonly service: string,
    readonly settings: ServiceResilienceSettings,
    options: ServicePoliciesOptions = {},
  ) {
    const metrics = serviceMetrics(service);
    const logger = options.logger ?? new Logger('Resilience');
    this.circuitBreaker = new DownstreamCircuitBreaker(service, settings.breaker, metrics, logger);
    this.bulkhead = new DownstreamBulkhead(service, settings.bulkhead, metrics);
    this.retry = new DownstreamRetry(settings.retry, metrics, options.random ?? Math.random);
    this.layers = {
      retry: (next) => (call) => this.retry.execute(call, next),
      circuitBreaker: (next) => (call) => this.circuitBreaker.execute(call, next),
      bulkhead: (next) => (call) => this.bulkhead.execute(call, next),
    };
  }

  /** Sends `call` through `next` (status mapping and transport) under the three, in stack order. */
  execute(call: DownstreamCall, next: DownstreamProxy): Promise<RawResponse> {
    const { retry, circuitBreaker, bulkhead } = this.layers;
    return compose(retry, circuitBreaker, bulkhead)(next)(call);
  }

  /** Current state and counters, for `GET /ops/circuits`. */
  snapshot(): CircuitSnapshot {
    const breaker = this.circuitBreaker.snapshot();
    const retry = this.retry.snapshot();
    const snapshot: CircuitSnapshot = {
      service: this.service,
      state: breaker.state,
      counters: {
        calls: retry.counters.calls,
        failures: breaker.counters.failures,
        shortCircuited: breaker.counters.shortCircuited,
        retries: retry.counters.retries,
        retryBudgetExhausted: retry.counters.retryBudgetExhausted,
        bulkheadRejections: this.bulkhead.rejected,
        transitions: breaker.counters.transitions,
      },
      bulkhead: this.bulkhead.snapshot(),
      retryBudget: retry.retryBudget,
      settings: this.settings,
    };
    if (breaker.openedAt !== undefined) snapshot.openedAt = breaker.openedAt;
    if (breaker.retryAfterSeconds !== undefined) {
      snapshot.retryAfterSeconds = breaker.retryAfterSeconds;
    }
    return snapshot;
  }
}
