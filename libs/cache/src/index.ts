export { BffCacheModule, createCacheStores } from './cache.module';
export type { BffCacheModuleAsyncOptions } from './cache.module';
export type { BffCacheModuleOptions } from './cache.options';
export { BFF_CACHE_CONFIG } from './cache.tokens';
export { TieredCache } from './tiered.cache';
export type { PurgeRequest, PurgeResult } from './tiered.cache';
export { CacheResponse, RESPONSE_CACHE_METADATA } from './response-cache.decorator';
export type { ResponseCacheOptions } from './response-cache.decorator';
export { ResponseCacheInterceptor } from './response-cache.interceptor';
export { HttpCache, CACHE_STATUS_HEADER, applyServed, notModified } from './http-cache';
export type { Lookup, OriginAnswer, Served, StoreOptions } from './http-cache';
export type { FreshnessBounds, StoreRefusal } from './http-cache.policy';
export { cacheCounters, storeRefusedCounter } from './cache.metrics';
export type { CacheCounters } from './cache.metrics';
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
  callerScope,
  strongEtag,
  etagMatches,
} from './cache.keys';
export type { CacheEntry, HttpEntry } from './cache.entry';
export { freshnessOf } from './cache.entry';
export { LruStore } from './lru.store';
export { RedisStore } from './redis.store';
