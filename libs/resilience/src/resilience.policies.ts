import type { ServiceResilienceSettings } from '@app/config';
import { DeadlineExceededError, RequestContextStore, isBffError } from '@app/core';
import {
  refreshBudgetHeader,
  type DownstreamCall,
  type DownstreamProxy,
  type RawResponse,
} from '@app/downstream';
import { Logger } from '@nestjs/common';
import {
  BulkheadPolicy,
  CircuitBreakerPolicy,
  CircuitState,
  DelegateBackoff,
  EventEmitter,
  RetryPolicy,
  TaskCancelledError,
  bulkhead,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isTaskCancelledError,
  retry,
  wrap,
  type IDefaultPolicyContext,
  type IFailureEvent,
  type IPolicy,
  type IRetryBackoffContext,
  type ISuccessEvent,
} from 'cockatiel';
import { AttemptFailure, isRetryableRequest, isUnhealthy } from './attempt.classify';
import { BulkheadFullError, CircuitOpenError } from './resilience.errors';
import { type ServiceMetrics, serviceMetrics } from './resilience.metrics';
import { RatioBreaker } from './ratio.breaker';
import { RetryBudget } from './retry.budget';

export type CircuitStateName = 'closed' | 'open' | 'half_open' | 'isolated';

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

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

/** Base for the two small policies below: cockatiel's IPolicy with events nobody listens to. */
abstract class PassivePolicy implements IPolicy<IDefaultPolicyContext> {
  declare readonly _altReturn: never;
  readonly onSuccess = new EventEmitter<ISuccessEvent>().addListener;
  readonly onFailure = new EventEmitter<IFailureEvent>().addListener;
  abstract execute<T>(
    fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T>;
}

/**
 * Sits in front of cockatiel's breaker. While open it answers at once with the time left before
 * half-open (cockatiel's error carries none); while half-open it refuses calls beyond the probe
 * count instead of letting cockatiel park them until the probes settle.
 */
class CircuitGate extends PassivePolicy {
  constructor(private readonly admit: () => void) {
    super();
  }

  async execute<T>(
    fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<T> {
    this.admit();
    return fn({ signal });
  }
}

/** cockatiel's bulkhead, except that a queued call leaves the queue when its signal aborts. */
class AbortableBulkhead extends PassivePolicy {
  constructor(private readonly inner: BulkheadPolicy) {
    super();
  }

  execute<T>(
    fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T,
    signal?: AbortSignal,
  ): Promise<T> {
    const inner = this.inner;
    if (signal === undefined || inner.executionSlots > 0 || inner.queueSlots <= 0) {
      return inner.execute(fn, signal);
    }
    // Only the queued path pays for a listener: the deadline must not be outlived in the queue.
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(new TaskCancelledError());
      signal.addEventListener('abort', onAbort, { once: true });
      inner.execute(fn, signal).then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}

/**
 * Retry, circuit breaker and bulkhead of one downstream service, built once at start-up and shared
 * by all its calls. Order, outermost first:
 * 1. retry: each attempt goes through the breaker, so retries are counted and stop when it opens;
 * 2. circuit gate + breaker: an open circuit refuses a call before it takes a bulkhead slot;
 * 3. bulkhead: caps what is really in flight to the service; its rejections are not failures of
 *    the service and are not retried (more load would not help);
 * below: status mapping turns responses into typed errors, then the transport.
 */
export class ServicePolicies {
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly metrics: ServiceMetrics;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly bulkhead: BulkheadPolicy;
  private readonly retry: RetryPolicy;
  private readonly budget: RetryBudget;
  private readonly withRetry: IPolicy<IDefaultPolicyContext & { attempt: number }>;
  private readonly withoutRetry: IPolicy<IDefaultPolicyContext>;
  private openedAt: number | undefined;
  private probes = 0;
  private readonly counters = {
    calls: 0,
    failures: 0,
    shortCircuited: 0,
    retries: 0,
    retryBudgetExhausted: 0,
    bulkheadRejections: 0,
    transitions: 0,
  };

  constructor(
    readonly service: string,
    readonly settings: ServiceResilienceSettings,
    options: ServicePoliciesOptions = {},
  ) {
    this.logger = options.logger ?? new Logger('Resilience');
    this.random = options.random ?? Math.random;
    this.metrics = serviceMetrics(service);
    this.metrics.state.set(CircuitState.Closed);
    const { breaker: b, retry: r, bulkhead: h } = settings;

    this.breaker = circuitBreaker(
      handleWhen((e) => e instanceof AttemptFailure && e.unhealthy),
      {
        halfOpenAfter: b.halfOpenAfterMs,
        breaker: new RatioBreaker(b.failureRatio, b.minCalls, b.windowMs),
        // Every probe must succeed to close again; one failure reopens.
        halfOpenSampling: { calls: b.halfOpenProbes, threshold: 0 },
      },
    );
    this.breaker.onStateChange((state) => this.onStateChange(state));

    this.bulkhead = bulkhead(h.maxConcurrent, h.queue);
    this.bulkhead.onReject(() => {
      this.counters.bulkheadRejections++;
      this.metrics.bulkheadRejections.inc();
    });

    this.budget = new RetryBudget(r.budgetRatio, r.budgetMinPerSecond, r.budgetWindowMs);
    this.retry = retry(
      handleWhen((e) => e instanceof AttemptFailure && e.retryDelayMs !== undefined),
      {
        maxAttempts: r.maxAttempts - 1,
        // The delay was decided with the call's facts when the attempt failed (see classify).
        backoff: new DelegateBackoff<IRetryBackoffContext<unknown>>(
          (ctx) => ((ctx.result as { error: AttemptFailure }).error.retryDelayMs ?? 0) as number,
        ),
      },
    );
    this.retry.onRetry(() => {
      this.counters.retries++;
      this.metrics.retries.inc();
    });

    const gate = new CircuitGate(() => this.admit());
    const isolation = new AbortableBulkhead(this.bulkhead);
    this.withRetry = wrap(this.retry, gate, this.breaker, isolation);
    this.withoutRetry = wrap(gate, this.breaker, isolation);
  }

  /** Sends `call` through `next` (status mapping and transport) under this service's policies. */
  async execute(call: DownstreamCall, next: DownstreamProxy): Promise<RawResponse> {
    this.counters.calls++;
    this.budget.recordCall();
    const attempts = this.attemptsFor(call);
    const run = (ctx: IDefaultPolicyContext & { attempt?: number }): Promise<RawResponse> =>
      this.attempt(call, next, attempts, ctx.attempt ?? 0);
    try {
      return attempts > 1
        ? await this.withRetry.execute(run, call.signal)
        : await this.withoutRetry.execute(run, call.signal);
    } catch (error) {
      throw this.publicError(error, call);
    }
  }

  /** Current state and counters, for `GET /ops/circuits`. */
  snapshot(): CircuitSnapshot {
    const state = STATE_NAMES[this.breaker.state];
    const h = this.settings.bulkhead;
    const snapshot: CircuitSnapshot = {
      service: this.service,
      state,
      counters: { ...this.counters },
      bulkhead: {
        active: h.maxConcurrent - this.bulkhead.executionSlots,
        queued: h.queue - this.bulkhead.queueSlots,
        maxConcurrent: h.maxConcurrent,
        queue: h.queue,
      },
      retryBudget: this.budget.snapshot(),
      settings: this.settings,
    };
    if (this.openedAt !== undefined) snapshot.openedAt = new Date(this.openedAt).toISOString();
    if (state === 'open') snapshot.retryAfterSeconds = this.secondsUntilHalfOpen();
    return snapshot;
  }

  /** Attempts allowed for this call: 1 unless it is safe to send again. */
  private attemptsFor(call: DownstreamCall): number {
    const max = this.settings.retry.maxAttempts;
    if (max <= 1 || !isRetryableRequest(call)) return 1;
    // A declarative route may lower the count (never raise it past the service's policy).
    const routeRetries = RequestContextStore.current()?.route?.retries;
    return routeRetries === undefined ? max : Math.max(1, Math.min(max, routeRetries + 1));
  }

  private async attempt(
    call: DownstreamCall,
    next: DownstreamProxy,
    attempts: number,
    n: number,
  ): Promise<RawResponse> {
    // A retry tells the service what is left now, not what was left for the first attempt.
    if (n > 0) refreshBudgetHeader(call);
    try {
      return await next(call);
    } catch (error) {
      throw this.classify(error, call, attempts, n);
    }
  }

  /** Decides, while the facts of the call are at hand, whether it counts and whether to retry. */
  private classify(
    error: unknown,
    call: DownstreamCall,
    attempts: number,
    n: number,
  ): AttemptFailure {
    // The caller giving up (a sibling part failed) says nothing about the service.
    const unhealthy = call.callerSignal?.aborted !== true && isUnhealthy(error);
    if (!unhealthy) return new AttemptFailure(error, false, undefined);
    this.counters.failures++;
    const delay = n + 1 < attempts ? this.retryDelay(error, call, n) : undefined;
    return new AttemptFailure(error, true, delay);
  }

  /** Backoff before retry `n + 1`, or undefined when it cannot fit the budget or the retry budget. */
  private retryDelay(error: unknown, call: DownstreamCall, n: number): number | undefined {
    const r = this.settings.retry;
    const retryAfter = isBffError(error) ? error.retryAfterSeconds : undefined;
    // Full jitter: uniform below an exponentially growing cap, so retries of many callers spread out.
    const delay =
      retryAfter !== undefined
        ? retryAfter * 1000
        : Math.floor(this.random() * Math.min(r.maxDelayMs, r.baseDelayMs * 2 ** n));
    const left =
      call.deadlineAt === undefined
        ? Number.POSITIVE_INFINITY
        : call.deadlineAt - performance.now();
    if (delay + r.minAttemptMs > left) return undefined;
    if (!this.budget.tryAcquire()) {
      this.counters.retryBudgetExhausted++;
      this.metrics.budgetExhausted.inc();
      return undefined;
    }
    return delay;
  }

  /** Lets a call reach the breaker, or refuses it at once with a Retry-After. */
  private admit(): void {
    const state = this.breaker.state;
    if (state === CircuitState.Closed) return;
    if (state === CircuitState.Open) {
      // Past halfOpenAfter, cockatiel turns half-open inside execute() and this call is probe 1.
      if (this.secondsUntilHalfOpen() > 0) throw this.shortCircuit(this.secondsUntilHalfOpen());
      return;
    }
    if (state === CircuitState.HalfOpen && this.probes < this.settings.breaker.halfOpenProbes) {
      this.probes++;
      return;
    }
    throw this.shortCircuit(1);
  }

  private shortCircuit(retryAfterSeconds: number): CircuitOpenError {
    this.counters.shortCircuited++;
    this.metrics.shortCircuits.inc();
    return new CircuitOpenError(this.service, retryAfterSeconds);
  }

  private secondsUntilHalfOpen(): number {
    if (this.openedAt === undefined) return 0;
    const left = this.openedAt + this.settings.breaker.halfOpenAfterMs - Date.now();
    return left <= 0 ? 0 : Math.ceil(left / 1000);
  }

  private onStateChange(state: CircuitState): void {
    this.counters.transitions++;
    this.metrics.state.set(state);
    this.metrics.transitions(STATE_NAMES[state]);
    const name = this.service;
    if (state === CircuitState.Open) {
      this.openedAt = Date.now();
      const last = this.breaker.lastFailure;
      const cause =
        last !== undefined && 'error' in last && last.error instanceof AttemptFailure
          ? describe(last.error.error)
          : 'unknown';
      this.logger.warn(
        `Circuit for ${name} OPEN for ${this.settings.breaker.halfOpenAfterMs} ms (last failure: ${cause})`,
      );
    } else if (state === CircuitState.HalfOpen) {
      // The call that caused the transition is the first probe.
      this.probes = 1;
      this.logger.log(
        `Circuit for ${name} HALF_OPEN: letting ${this.settings.breaker.halfOpenProbes} probe(s) through`,
      );
    } else if (state === CircuitState.Closed) {
      this.logger.log(`Circuit for ${name} CLOSED: ${name} recovered`);
    } else {
      this.logger.warn(`Circuit for ${name} ISOLATED`);
    }
  }

  /** Unwraps policy errors into the typed errors the global filter maps. */
  private publicError(error: unknown, call: DownstreamCall): unknown {
    if (error instanceof AttemptFailure) return error.error;
    const name = this.service;
    if (isBrokenCircuitError(error)) return this.shortCircuit(this.secondsUntilHalfOpen() || 1);
    if (isBulkheadRejectedError(error)) return new BulkheadFullError(name);
    if (isTaskCancelledError(error)) {
      if (call.callerSignal?.aborted === true) return call.callerSignal.reason ?? error;
      return new DeadlineExceededError(`No time left to call ${name}`, name);
    }
    return error;
  }
}

function describe(error: unknown): string {
  if (isBffError(error)) return `${error.status} ${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
