import type { RateLimitFailureMode } from '@app/config';

/**
 * A tier's limits compiled for the stores: capacities, windows in ms, and the precomputed
 * `RateLimit-Policy` value. Built once at start-up (per tier and per overridden route).
 */
export interface BucketPolicy {
  /** Burst bucket capacity (>= 1). */
  readonly burst: number;
  readonly burstWindowMs: number;
  /** Sustained bucket capacity; 0 = no sustained bucket. */
  readonly sustained: number;
  readonly sustainedWindowMs: number;
  /** Tokens per UTC day; 0 = no daily quota. */
  readonly dailyQuota: number;
  /** What to do when the shared store cannot answer. */
  readonly failureMode: RateLimitFailureMode;
  /** `RateLimit-Policy` field value for this policy. */
  readonly policyHeader: string;
}

/** Outcome of one limit check. Remaining values are after this request's cost when allowed. */
export interface RateLimitDecision {
  allowed: boolean;
  burstRemaining: number;
  /** Ms until the burst bucket is full again. */
  burstResetMs: number;
  sustainedRemaining: number;
  sustainedResetMs: number;
  dailyRemaining: number;
  /** Ms until the daily quota resets (next 00:00 UTC). */
  dailyResetMs: number;
  /** When denied: ms until this request's cost fits every bucket (0 when it never will). */
  retryAfterMs: number;
  /** Which limit denied the request (`burst`, `sustained`, `daily`). */
  violated: 'burst' | 'sustained' | 'daily' | undefined;
  /**
   * Denied because the cost exceeds the capacity of `violated`: no refill can ever pay it, so
   * there is no retry delay. Nothing was taken.
   */
  overCapacity: boolean;
  /** False when answered by the local fallback because the shared store was unavailable. */
  shared: boolean;
}

export const DAY_MS = 86_400_000;
