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
 * quota if all of them can pay; otherwise nothing is taken. A cost above a capacity is capped to it,
 * so an expensive route empties the bucket instead of being refused forever. Mirrors the Lua script
 * of the Redis store operation for operation.
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

  const needBurst = Math.min(cost, policy.burst);
  const needSustained = Math.min(cost, policy.sustained);
  const needDaily = Math.min(cost, policy.dailyQuota);
  const burstOk = burst + EPSILON >= needBurst;
  const sustainedOk = policy.sustained === 0 || sustained + EPSILON >= needSustained;
  const dailyOk = policy.dailyQuota === 0 || used + needDaily <= policy.dailyQuota;
  const allowed = burstOk && sustainedOk && dailyOk;

  let retryAfterMs = 0;
  let violated: RateLimitDecision['violated'];
  if (allowed) {
    burst -= needBurst;
    sustained -= needSustained;
    used += needDaily;
    state.burst = burst;
    state.sustained = sustained;
    state.at = now;
    state.day = day;
    state.used = used;
  } else {
    if (!burstOk) {
      retryAfterMs = Math.ceil(((needBurst - burst) * policy.burstWindowMs) / policy.burst);
      violated = 'burst';
    }
    if (!sustainedOk) {
      const wait = Math.ceil(
        ((needSustained - sustained) * policy.sustainedWindowMs) / policy.sustained,
      );
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
    shared: false,
  };
}
