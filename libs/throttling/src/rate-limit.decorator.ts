import { SetMetadata } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import type { LimitedTier, RateLimitFailureMode, TierLimits } from '@app/config';

export const RATE_LIMIT_OPTIONS = 'bff:rate-limit';

/** Per-route (or per-controller) rate-limit settings; method values win over class values. */
export interface RateLimitOptions {
  /** Tokens one request costs (default 1): endpoints fanning out to several downstream calls cost more. */
  weight?: number;
  /** Limits replacing the tier's defaults on this route; the route then gets buckets of its own. */
  tiers?: Partial<Record<LimitedTier, Partial<TierLimits>>>;
  /** Name of those buckets (default `Controller.handler`); routes naming the same bucket share it. */
  bucket?: string;
  /** What this route does when Redis is down, instead of `RATE_LIMIT_REDIS_FAILURE_MODE`. */
  onStoreFailure?: RateLimitFailureMode;
}

/** Sets the rate-limit weight, limits or failure mode of a route or controller. */
export function RateLimit(options: RateLimitOptions): MethodDecorator & ClassDecorator {
  const { weight } = options;
  if (weight !== undefined && !(Number.isInteger(weight) && weight >= 1)) {
    throw new Error(`@RateLimit weight must be a positive integer (got ${weight})`);
  }
  if (options.bucket !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(options.bucket)) {
    throw new Error(`@RateLimit bucket must be 1-64 letters, digits, ".", "_" or "-"`);
  }
  return SetMetadata(RATE_LIMIT_OPTIONS, options);
}

/** Exempts a route or controller from rate limiting (the @nestjs/throttler skip flag). */
export const SkipRateLimit = (): MethodDecorator & ClassDecorator => SkipThrottle();
