import type { ServiceResilienceSettings } from '@app/config';
import { RequestContextStore, isBffError } from '@app/core';
import {
  isRetryableFailure,
  refreshBudgetHeader,
  type DownstreamCall,
  type DownstreamProxy,
  type RawResponse,
} from '@app/downstream';
import {
  DelegateBackoff,
  RetryPolicy,
  handleWhen,
  retry,
  type IRetryBackoffContext,
} from 'cockatiel';
import { AttemptFailure, isRetryableRequest, isServiceFailure } from './attempt.classify';
import type { ServiceMetrics } from './resilience.metrics';
import { RetryBudget } from './retry.budget';

/** The retry's part of a `CircuitSnapshot`. */
export interface RetrySnapshot {
  counters: { calls: number; retries: number; retryBudgetExhausted: number };
  retryBudget: { calls: number; retries: number; available: number };
}

/**
 * The retries of one downstream service (cockatiel's retry): only calls safe to send again, with
 * full-jitter exponential backoff or the service's Retry-After, never past the call's deadline,
 * and within a {@link RetryBudget} so an outage does not multiply the load.
 */
export class DownstreamRetry {
  private readonly retry: RetryPolicy;
  private readonly budget: RetryBudget;
  private readonly counters = { calls: 0, retries: 0, retryBudgetExhausted: 0 };

  constructor(
    private readonly settings: ServiceResilienceSettings['retry'],
    private readonly metrics: ServiceMetrics,
    /** Source of backoff jitter, 0 <= x < 1. */
    private readonly random: () => number,
  ) {
    const r = settings;
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
  }

  /** Sends `call` through `next` (the breaker, then the bulkhead) as many times as allowed. */
  async execute(call: DownstreamCall, next: DownstreamProxy): Promise<RawResponse> {
    this.counters.calls++;
    this.budget.recordCall();
    const attempts = this.attemptsFor(call);
    if (attempts <= 1) return next(call);
    try {
      return await this.retry.execute(
        ({ attempt }) => this.attempt(call, next, attempts, attempt),
        call.signal,
      );
    } catch (error) {
      throw error instanceof AttemptFailure ? error.error : error;
    }
  }

  snapshot(): RetrySnapshot {
    return { counters: { ...this.counters }, retryBudget: this.budget.snapshot() };
  }

  /** Attempts allowed for this call: 1 unless it is safe to send again. */
  private attemptsFor(call: DownstreamCall): number {
    const max = this.settings.maxAttempts;
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

  /** Decides, while the facts of the call are at hand, whether to send it again. */
  private classify(
    error: unknown,
    call: DownstreamCall,
    attempts: number,
    n: number,
  ): AttemptFailure {
    if (!isServiceFailure(error, call)) return new AttemptFailure(error, false, undefined);
    // The transport may know the failure must not be repeated (gRPC: all but UNAVAILABLE and
    // RESOURCE_EXHAUSTED); it still counts against the service.
    const delay =
      n + 1 < attempts && isRetryableFailure(error) ? this.retryDelay(error, call, n) : undefined;
    return new AttemptFailure(error, true, delay);
  }

  /** Backoff before retry `n + 1`, or undefined when it cannot fit the budget or the retry budget. */
  private retryDelay(error: unknown, call: DownstreamCall, n: number): number | undefined {
    const r = this.settings;
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
}
