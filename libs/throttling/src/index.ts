export { ThrottlingModule } from './throttling.module';
export type {
  ThrottlingModuleAsyncOptions,
  ThrottlingModuleRootOptions,
} from './throttling.module';
export type { ThrottlingModuleOptions } from './throttling.options';
export { TieredThrottlerGuard } from './tiered-throttler.guard';
export type { Caller } from './tiered-throttler.guard';
export { RateLimit, SkipRateLimit } from './rate-limit.decorator';
export { RateLimitStore } from './rate-limit.store';
export { MemoryRateLimitStore } from './memory-rate-limit.store';
// Also used by bench/throttling.bench.mjs (from the build).
export { RedisRateLimitStore } from './redis-rate-limit.store';
export { compilePolicy, formatRateLimit } from './rate-limit.headers';
export { ClientIpResolver } from './client-ip';
