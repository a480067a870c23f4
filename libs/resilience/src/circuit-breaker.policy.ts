import type { ServiceResilienceSettings } from '@app/config';
import { isBffError } from '@app/core';
import type { DownstreamCall, DownstreamProxy, RawResponse } from '@app/downstream';
import type { Logger } from '@nestjs/common';
import {
  CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  isTaskCancelledError,
} from 'cockatiel';
import { AttemptFailure, cancelledError, isServiceFailure, refusal } from './attempt.classify';
import { CircuitOpenError } from './resilience.errors';
import type { ServiceMetrics } from './resilience.metrics';
import { RatioBreaker } from './ratio.breaker';

export type CircuitStateName = 'closed' | 'open' | 'half_open' | 'isolated';

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/** The breaker's part of a {@link CircuitSnapshot}. */
export interface BreakerSnapshot {
  state: CircuitStateName;
  openedAt?: string;
  retryAfterSeconds?: number;
  counters: { failures: number; shortCircuited: number; transitions: number };
}

/**
 * The circuit breaker of one downstream service: cockatiel's state machine, opened by a
 * {@link RatioBreaker} on the share of service failures. A gate in front of it answers at once
 * while open, with the time left before half-open (cockatiel's error carries none), and while
 * half-open refuses calls beyond the probe count instead of letting cockatiel park them until the
 * probes settle.
 */
export class DownstreamCircuitBreaker {
  private readonly breaker: CircuitBreakerPolicy;
  private openedAt: number | undefined;
  private probes = 0;
  private readonly counters = { failures: 0, shortCircuited: 0, transitions: 0 };

  constructor(
    readonly service: string,
    private readonly settings: ServiceResilienceSettings['breaker'],
    private readonly metrics: ServiceMetrics,
    private readonly logger: Logger,
  ) {
    const b = settings;
    this.metrics.state.set(CircuitState.Closed);
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
  }

  /** Sends one attempt of `call` through `next`, or refuses it while the circuit is open. */
  async execute(call: DownstreamCall, next: DownstreamProxy): Promise<RawResponse> {
    this.admit();
    try {
      return await this.breaker.execute(() => this.attempt(call, next), call.signal);
    } catch (error) {
      throw this.publicError(error, call);
    }
  }

  snapshot(): BreakerSnapshot {
    const state = STATE_NAMES[this.breaker.state];
    const snapshot: BreakerSnapshot = { state, counters: { ...this.counters } };
    if (this.openedAt !== undefined) snapshot.openedAt = new Date(this.openedAt).toISOString();
    if (state === 'open') snapshot.retryAfterSeconds = this.secondsUntilHalfOpen();
    return snapshot;
  }

  private async attempt(call: DownstreamCall, next: DownstreamProxy): Promise<RawResponse> {
    try {
      return await next(call);
    } catch (error) {
      const failure = isServiceFailure(error, call);
      if (failure) this.counters.failures++;
      throw new AttemptFailure(error, failure, undefined);
    }
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
    if (state === CircuitState.HalfOpen && this.probes < this.settings.halfOpenProbes) {
      this.probes++;
      return;
    }
    throw this.shortCircuit(1);
  }

  private shortCircuit(retryAfterSeconds: number): CircuitOpenError {
    this.counters.shortCircuited++;
    this.metrics.shortCircuits.inc();
    return refusal(new CircuitOpenError(this.service, retryAfterSeconds));
  }

  private secondsUntilHalfOpen(): number {
    if (this.openedAt === undefined) return 0;
    const left = this.openedAt + this.settings.halfOpenAfterMs - Date.now();
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
        `Circuit for ${name} OPEN for ${this.settings.halfOpenAfterMs} ms (last failure: ${cause})`,
      );
    } else if (state === CircuitState.HalfOpen) {
      // The call that caused the transition is the first probe.
      this.probes = 1;
      this.logger.log(
        `Circuit for ${name} HALF_OPEN: letting ${this.settings.halfOpenProbes} probe(s) through`,
      );
    } else if (state === CircuitState.Closed) {
      this.logger.log(`Circuit for ${name} CLOSED: ${name} recovered`);
    } else {
      this.logger.warn(`Circuit for ${name} ISOLATED`);
    }
  }

  /** Unwraps cockatiel's errors into the typed errors the global filter maps. */
  private publicError(error: unknown, call: DownstreamCall): unknown {
    if (error instanceof AttemptFailure) return error.error;
    if (isBrokenCircuitError(error)) return this.shortCircuit(this.secondsUntilHalfOpen() || 1);
    if (isTaskCancelledError(error)) return cancelledError(call, error);
    return error;
  }
}

function describe(error: unknown): string {
  if (isBffError(error)) return `${error.status} ${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
