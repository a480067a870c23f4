import type { ThrottlerStorage } from '@nestjs/throttler';
import type { BucketPolicy, RateLimitDecision } from './throttling.types';

/** What `ThrottlerStorage.increment` resolves to (the type is not exported by the package index). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Where buckets live. Also a `ThrottlerStorage` of @nestjs/throttler, so the stock guard and
 * decorators work on the same bounded store.
 */
export interface RateLimitStore extends ThrottlerStorage {
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  /** Checks and, when allowed, takes `cost` tokens from every bucket of `key` in one atomic step. */
  consume(key: string, policy: BucketPolicy, cost: number): Promise<RateLimitDecision>;
}

/** Injection token of the active {@link RateLimitStore}. */
export const RateLimitStore = Symbol('RateLimitStore');

/**
 * The @nestjs/throttler contract on top of `consume`: a bucket of `limit` tokens refilled over
 * `ttl` ms (no sustained bucket, no daily quota). Policies are cached per (limit, ttl).
 */
export class ThrottlerStorageAdapter {
  private readonly policies = new Map<string, BucketPolicy>();

  constructor(private readonly store: Pick<RateLimitStore, 'consume'>) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const id = `${limit}/${ttl}`;
    let policy = this.policies.get(id);
    if (policy === undefined) {
      policy = {
        burst: Math.max(1, limit),
        burstWindowMs: Math.max(1, ttl),
        sustained: 0,
        sustainedWindowMs: 1,
        dailyQuota: 0,
        failureMode: 'open',
        policyHeader: `"${throttlerName}";q=${limit};w=${Math.max(1, Math.ceil(ttl / 1000))}`,
      };
      this.policies.set(id, policy);
    }
    const d = await this.store.consume(`nt:${throttlerName}:${key}`, policy, 1);
    return {
      totalHits: d.allowed ? limit - d.burstRemaining : limit + 1,
      timeToExpire: Math.ceil(d.burstResetMs / 1000),
      isBlocked: !d.allowed,
      timeToBlockExpire: Math.ceil(d.retryAfterMs / 1000),
    };
  }
}
