// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- a type-only shim: an import would be emitted as a require of a file that does not exist
/// <reference path="./structured-headers.d.ts" />
import type { RateLimitFailureMode, TierLimits } from '@app/config';
import { serializeList, type Item } from 'structured-headers';
import { BucketPolicy, DAY_MS, RateLimitDecision } from './throttling.types';

const policyItem = (name: string, quota: number, windowSeconds: number): Item => [
  name,
  new Map([
    ['q', quota],
    ['w', windowSeconds],
  ]),
];

/**
 * Compiles a tier's limits into a store policy and its `RateLimit-Policy` field value
 * (draft-ietf-httpapi-ratelimit-headers: an RFC 9651 List of String items with integer `q` and
 * `w` parameters), once at start-up, serialized by `structured-headers`.
 */
export function compilePolicy(
  limits: TierLimits,
  burstWindowSeconds: number,
  sustainedWindowSeconds: number,
  failureMode: RateLimitFailureMode,
): BucketPolicy {
  const items = [policyItem('burst', limits.burst, burstWindowSeconds)];
  if (limits.sustained > 0) {
    items.push(policyItem('sustained', limits.sustained, sustainedWindowSeconds));
  }
  if (limits.dailyQuota > 0) items.push(policyItem('daily', limits.dailyQuota, DAY_MS / 1000));
  return {
    burst: limits.burst,
    burstWindowMs: burstWindowSeconds * 1000,
    sustained: limits.sustained,
    sustainedWindowMs: sustainedWindowSeconds * 1000,
    dailyQuota: limits.dailyQuota,
    failureMode,
    policyHeader: serializeList(items),
  };
}

/**
 * `RateLimit` field value: per policy the available quota `r` and `t`, the seconds until that
 * bucket is full again (the daily quota: until 00:00 UTC). Written by hand on purpose: it runs on
 * every request, fixed names and non-negative integers need no escaping, and `serializeList` took
 * 11-28 us per call against 0.04-0.35 us for this (issue 23); the spec parses it back with the
 * RFC 9651 parser.
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
