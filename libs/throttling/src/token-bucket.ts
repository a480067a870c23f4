import { BucketPolicy, DAY_MS, RateLimitDecision } from './throttling.types';

/** State of one caller: two token buckets and a daily counter. Refill is computed lazily from `at`. */
export interface BucketState {
  burst: number;
  sustained: number;
  /** Ms timestamp of the last refill. */
  at: number;
  /** UTC day number of `used`. */
  day: number;
  used: number;
}

// Refill arithmetic works in fractions of tokens; a hair of tolerance keeps exact refills exact.
const EPSILON = 1e-9;

export function newBucketState(policy: BucketPolicy, now: number): BucketState {
  return {
    burst: policy.burst,
    sustained: policy.sustained,
    at: now,
    day: Math.floor(now / DAY_MS),
    used: 0,
  };
}

/**
 * Refills both buckets for the time elapsed, then takes `cost` tokens from each bucket and the daily
 * quota if all of them can pay; otherwise nothing is taken. A cost above a capacity is refused
 * outright (`overCapacity`, no retry delay): capping it would let one heavy request do the work
 * of many for the price of a full bucket; waiting never helps, as with Go's x/time/rate (`AllowN`
 * false, `WaitN` an error when n exceeds the burst). Mirrors the Lua script of the Redis store
 * operation for operation.
 */
export function consumeTokens(
  state: BucketState,
  policy: BucketPolicy,
  cost: number,
  now: number,
): RateLimitDecision {
  const elapsed = now > state.at ? now - state.at : 0;
  let burst = Math.min(policy.burst, state.burst + (elapsed * policy.burst) / policy.burstWindowMs);
  let sustained =
    policy.sustained > 0
      ? Math.min(
          policy.sustained,
          state.sustained + (elapsed * policy.sustained) / policy.sustainedWindowMs,
        )
      : 0;
  const day = Math.floor(now / DAY_MS);
  let used = state.day === day ? state.used : 0;
  const dayResetMs = DAY_MS - (now % DAY_MS);

  // The first limit (burst, sustained, daily) whose capacity is below the cost, if any.
  let overCapacity: RateLimitDecision['violated'];
  if (cost > policy.burst) overCapacity = 'burst';
  else if (policy.sustained > 0 && cost > policy.sustained) overCapacity = 'sustained';
  else if (policy.dailyQuota > 0 && cost > policy.dailyQuota) overCapacity = 'daily';
  const burstOk = burst + EPSILON >= cost;
  const sustainedOk = policy.sustained === 0 || sustained + EPSILON >= cost;
  const dailyOk = policy.dailyQuota === 0 || used + cost <= policy.dailyQuota;
  const allowed = overCapacity === undefined && burstOk && sustainedOk && dailyOk;

  let retryAfterMs = 0;
  let violated: RateLimitDecision['violated'] = overCapacity;
  if (allowed) {
    burst -= cost;
    sustained -= policy.sustained > 0 ? cost : 0;
    used += policy.dailyQuota > 0 ? cost : 0;
    state.burst = burst;
    state.sustained = sustained;
    state.at = now;
    state.day = day;
    state.used = used;
  } else if (overCapacity === undefined) {
    if (!burstOk) {
      retryAfterMs = Math.ceil(((cost - burst) * policy.burstWindowMs) / policy.burst);
      violated = 'burst';
    }
    if (!sustainedOk) {
      const wait = Math.ceil(((cost - sustained) * policy.sustainedWindowMs) / policy.sustained);
      if (wait > retryAfterMs) [retryAfterMs, violated] = [wait, 'sustained'];
    }
    if (!dailyOk && dayResetMs > retryAfterMs) [retryAfterMs, violated] = [dayResetMs, 'daily'];
  }
  return {
    allowed,
    burstRemaining: Math.floor(burst + EPSILON),
    burstResetMs: Math.ceil(((policy.burst - burst) * policy.burstWindowMs) / policy.burst),
    sustainedRemaining: Math.floor(sustained + EPSILON),
    sustainedResetMs:
      policy.sustained > 0
        ? Math.ceil(((policy.sustained - sustained) * policy.sustainedWindowMs) / policy.sustained)
        : 0,
    dailyRemaining: policy.dailyQuota > 0 ? policy.dailyQuota - used : 0,
    dailyResetMs: dayResetMs,
    retryAfterMs,
    violated,
    overCapacity: overCapacity !== undefined,
    shared: false,
  };
}
