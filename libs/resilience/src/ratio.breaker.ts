import { CircuitState, type IBreaker } from 'cockatiel';
import { SlidingWindow } from './sliding.window';

/**
 * Decides when cockatiel's circuit breaker opens: once `minCalls` calls were seen in the sliding
 * window, when the share of failures reaches `failureRatio`. cockatiel keeps the state machine;
 * this replaces its SamplingBreaker, whose windows keep counts from before an idle period.
 */
export class RatioBreaker implements IBreaker {
  private readonly window: SlidingWindow;

  constructor(
    private readonly failureRatio: number,
    private readonly minCalls: number,
    windowMs: number,
    now: () => number = Date.now,
  ) {
    this.window = new SlidingWindow(windowMs, now);
  }

  /** Serialised by cockatiel's `toJSON()`; counts restart on hydration. */
  get state(): unknown {
    const { a: successes, b: failures } = this.window.totals();
    return { successes, failures };
  }

  set state(_value: unknown) {
    this.window.reset();
  }

  success(state: CircuitState): void {
    // Closing after good probes starts a fresh window: old failures must not reopen it at once.
    if (state === CircuitState.HalfOpen) this.window.reset();
    this.window.addA();
  }

  failure(state: CircuitState): boolean {
    this.window.addB();
    if (state !== CircuitState.Closed) return true;
    const { a: successes, b: failures } = this.window.totals();
    const total = successes + failures;
    return total >= this.minCalls && failures >= this.failureRatio * total;
  }
}
