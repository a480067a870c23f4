/** The effective {@link CacheConfig} of the cache module. */
export const BFF_CACHE_CONFIG = Symbol('BffCacheConfig');
