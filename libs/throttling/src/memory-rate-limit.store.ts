import type { RateLimitStore, ThrottlerStorageRecord } from './rate-limit.store';
import { ThrottlerStorageAdapter } from './rate-limit.store';
import { BucketState, consumeTokens, newBucketState } from './token-bucket';
import type { BucketPolicy, RateLimitDecision } from './throttling.types';

export interface MemoryRateLimitStoreOptions {
  /** Callers tracked at most; the least recently seen one is evicted beyond it. */
  maxKeys: number;
  /** Clock in ms (tests pass a fake one). */
  now?: () => number;
}

/**
 * Per-instance store with bounded memory and no timers: buckets refill lazily from their last
 * timestamp, and a Map in access order gives LRU eviction in O(1). An evicted caller starts again
 * with full buckets, which errs on the side of serving.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, BucketState>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly adapter = new ThrottlerStorageAdapter(this);

  constructor(options: MemoryRateLimitStoreOptions) {
    this.maxKeys = Math.max(1, options.maxKeys);
    this.now = options.now ?? Date.now;
  }

  /** Number of callers currently tracked. */
  get size(): number {
    return this.entries.size;
  }

  consume(key: string, policy: BucketPolicy, cost: number): Promise<RateLimitDecision> {
    return Promise.resolve(this.consumeSync(key, policy, cost));
  }

  /** Synchronous check, also used as the Redis store's local fallback. */
  consumeSync(key: string, policy: BucketPolicy, cost: number): RateLimitDecision {
    const now = this.now();
    let state = this.entries.get(key);
    if (state === undefined) {
      state = newBucketState(policy, now);
      if (this.entries.size >= this.maxKeys) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
    } else {
      // Re-inserting moves the key to the end: Map iteration order is then least recent first.
      this.entries.delete(key);
    }
    this.entries.set(key, state);
    return consumeTokens(state, policy, cost, now);
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return this.adapter.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /** Forgets every caller (tests, admin resets). */
  clear(): void {
    this.entries.clear();
  }
}
