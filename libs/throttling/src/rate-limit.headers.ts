import type { RateLimitFailureMode, TierLimits } from '@app/config';
import { BucketPolicy, DAY_MS, RateLimitDecision } from './throttling.types';

/**
 * Compiles a tier's limits into a store policy and its `RateLimit-Policy` field value
 * (draft-ietf-httpapi-ratelimit-headers: a structured-field List of String items with integer
 * `q` and `w` parameters), once at start-up.
 */
export function compilePolicy(
  limits: TierLimits,
  burstWindowSeconds: number,
  sustainedWindowSeconds: number,
  failureMode: RateLimitFailureMode,
): BucketPolicy {
  const items = [`"burst";q=${limits.burst};w=${burstWindowSeconds}`];
  if (limits.sustained > 0) {
    items.push(`"sustained";q=${limits.sustained};w=${sustainedWindowSeconds}`);
  }
  if (limits.dailyQuota > 0) items.push(`"daily";q=${limits.dailyQuota};w=${DAY_MS / 1000}`);
  return {
    burst: limits.burst,
    burstWindowMs: burstWindowSeconds * 1000,
    sustained: limits.sustained,
    sustainedWindowMs: sustainedWindowSeconds * 1000,
    dailyQuota: limits.dailyQuota,
    failureMode,
    policyHeader: items.join(', '),
  };
}

/**
 * `RateLimit` field value: per policy the available quota `r` and `t`, the seconds until that
 * bucket is full again (the daily quota: until 00:00 UTC).
 */
export function formatRateLimit(policy: BucketPolicy, d: RateLimitDecision): string {
  let value = `"burst";r=${d.burstRemaining};t=${Math.ceil(d.burstResetMs / 1000)}`;
  if (policy.sustained > 0) {
    value += `, "sustained";r=${d.sustainedRemaining};t=${Math.ceil(d.sustainedResetMs / 1000)}`;
  }
  if (policy.dailyQuota > 0) {
    value += `, "daily";r=${d.dailyRemaining};t=${Math.ceil(d.dailyResetMs / 1000)}`;
  }
  return value;
}
