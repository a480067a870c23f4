export { ThrottlingModule, createRateLimitStore } from './throttling.module';
export type {
  ThrottlingModuleAsyncOptions,
  ThrottlingModuleRootOptions,
} from './throttling.module';
export type { ThrottlingModuleOptions, ResolvedThrottlingOptions } from './throttling.options';
export { THROTTLING_OPTIONS } from './throttling.options';
export { TieredThrottlerGuard } from './tiered-throttler.guard';
export { AddressGate } from './address-gate.hook';
export type { AddressGateOptions } from './address-gate.hook';
export type { Caller } from './tiered-throttler.guard';
export { RateLimit, SkipRateLimit, RATE_LIMIT_OPTIONS } from './rate-limit.decorator';
export type { RateLimitOptions } from './rate-limit.decorator';
export { RateLimitStore, ThrottlerStorageAdapter } from './rate-limit.store';
export { MemoryRateLimitStore } from './memory-rate-limit.store';
export type { MemoryRateLimitStoreOptions } from './memory-rate-limit.store';
export { RedisRateLimitStore } from './redis-rate-limit.store';
export type { RedisRateLimitStoreOptions, RedisScriptClient } from './redis-rate-limit.store';
export { RateLimitedError, RateLimitStoreUnavailableError } from './rate-limit.errors';
export { ClientIpResolver } from './client-ip';
export { compilePolicy, formatRateLimit } from './rate-limit.headers';
export { consumeTokens, newBucketState } from './token-bucket';
export type { BucketState } from './token-bucket';
export { rateLimitMetrics } from './rate-limit.metrics';
export type { BucketPolicy, RateLimitDecision } from './throttling.types';
