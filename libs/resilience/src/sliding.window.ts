const BUCKETS = 10;

/**
 * Two counters over a sliding time window, kept in ten buckets that are recycled lazily when
 * touched: O(1) per event, no timer, and nothing stale survives an idle period (each bucket
 * remembers which slice of time it counts).
 */
export class SlidingWindow {
  private readonly bucketMs: number;
  private readonly epochs = new Float64Array(BUCKETS).fill(-1);
  private readonly a = new Uint32Array(BUCKETS);
  private readonly b = new Uint32Array(BUCKETS);

  constructor(
    windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = Math.max(1, Math.floor(windowMs / BUCKETS));
  }

  /** The real span covered (a multiple of the bucket size). */
  get windowMs(): number {
    return this.bucketMs * BUCKETS;
  }

  addA(): void {
    this.a[this.bucket()]++;
  }

  addB(): void {
    this.b[this.bucket()]++;
  }

  /** Sums of both counters over the window. */
  totals(): { a: number; b: number } {
    const oldest = Math.floor(this.now() / this.bucketMs) - BUCKETS + 1;
    let a = 0;
    let b = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (this.epochs[i] < oldest) continue;
      a += this.a[i];
      b += this.b[i];
    }
    return { a, b };
  }

  reset(): void {
    this.epochs.fill(-1);
    this.a.fill(0);
    this.b.fill(0);
  }

  private bucket(): number {
    const epoch = Math.floor(this.now() / this.bucketMs);
    const i = epoch % BUCKETS;
    if (this.epochs[i] !== epoch) {
      this.epochs[i] = epoch;
      this.a[i] = 0;
      this.b[i] = 0;
    }
    return i;
  }
}
