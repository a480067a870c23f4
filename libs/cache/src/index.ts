export { BffCacheModule, createCacheStores } from './cache.module';
export type { BffCacheModuleAsyncOptions } from './cache.module';
export type { BffCacheModuleOptions } from './cache.options';
export { BFF_CACHE_CONFIG } from './cache.tokens';
export { TieredCache } from './tiered.cache';
export type { PurgeRequest, PurgeResult } from './tiered.cache';
export { CacheResponse, RESPONSE_CACHE_METADATA } from './response-cache.decorator';
export type { ResponseCacheOptions } from './response-cache.decorator';
export { ResponseCacheInterceptor, CACHE_STATUS_HEADER } from './response-cache.interceptor';
export { DownstreamCache, DOWNSTREAM_CACHE_HEADER } from './downstream-cache.middleware';
export type { DownstreamCacheOptions, StaleFallback } from './downstream-cache.middleware';
export { CachePurgeController, PurgeCacheDto } from './cache-purge.controller';
export { tagResponse, markStale } from './request-marks';
export { parseCacheControl, sharedStoragePolicy } from './cache-control';
export type { CacheDirectives, StoragePolicy } from './cache-control';
export {
  canonicalPath,
  canonicalQuery,
  canonicalDownstreamPath,
  strongEtag,
  etagMatches,
} from './cache.keys';
export type { CacheEntry } from './cache.entry';
export { ageSeconds, freshnessOf } from './cache.entry';
export { LruStore } from './lru.store';
export { RedisStore } from './redis.store';
