import { SlidingWindow } from './sliding.window';

/**
 * Caps retries to a fraction of the calls seen over a sliding window, plus a small reserve per
 * second so quiet services can still retry (Finagle's RetryBudget). During an outage every call
 * fails, so retries add at most `ratio` extra load instead of multiplying it by the attempt count.
 */
export class RetryBudget {
  private readonly window: SlidingWindow;
  private readonly reserve: number;

  constructor(
    private readonly ratio: number,
    minPerSecond: number,
    windowMs: number,
    now: () => number = Date.now,
  ) {
    this.window = new SlidingWindow(windowMs, now);
    this.reserve = (minPerSecond * this.window.windowMs) / 1000;
  }

  /** Counts a call (its first attempt). */
  recordCall(): void {
    this.window.addA();
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryAcquire(): boolean {
    const { a: calls, b: retries } = this.window.totals();
    if (retries + 1 > this.ratio * calls + this.reserve) return false;
    this.window.addB();
    return true;
  }

  /** Calls and retries over the window, and the retries still allowed. */
  snapshot(): { calls: number; retries: number; available: number } {
    const { a: calls, b: retries } = this.window.totals();
    const available = Math.max(0, Math.floor(this.ratio * calls + this.reserve - retries));
    return { calls, retries, available };
  }
}
