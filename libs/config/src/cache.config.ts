import type { EnvReader } from './env-reader';

/** Shared response cache (libs/cache): a bounded memory LRU, plus Redis as level 2 when `REDIS_URL` is set. */
export interface CacheConfig {
  /** `CACHE_ENABLED`: false turns every cache off (responses and downstream calls). */
  readonly enabled: boolean;
  /** `CACHE_MEMORY_MAX_ENTRIES`: entries kept in the in-process LRU (level 1). */
  readonly memoryMaxEntries: number;
  /** `CACHE_MEMORY_MAX_BYTES`: approximate bytes of bodies kept in the LRU before evicting. */
  readonly memoryMaxBytes: number;
  /** `CACHE_MAX_ENTRY_BYTES`: bodies larger than this are never stored. */
  readonly maxEntryBytes: number;
  /** Redis URL of level 2 (`REDIS_URL`, unless `CACHE_REDIS=false`); undefined = memory only. */
  readonly redisUrl: string | undefined;
  /** `CACHE_KEY_PREFIX`: prefix of every Redis key and of the purge channel. */
  readonly keyPrefix: string;
  /** `CACHE_REDIS_TIMEOUT_MS`: a Redis command slower than this is abandoned (the cache is bypassed). */
  readonly redisTimeoutMs: number;
  /** `CACHE_REDIS_BACKOFF_MS`: after a Redis failure, level 2 is skipped for this long. */
  readonly redisBackoffMs: number;
  /** `CACHE_DOWNSTREAM`: cache downstream GET responses (per their `Cache-Control`). */
  readonly downstream: boolean;
  /**
   * `CACHE_DOWNSTREAM_DEFAULT_TTL_S`: freshness given to downstream 200s that carry no
   * `Cache-Control`/`Expires` at all; 0 = only responses with explicit freshness are stored.
   */
  readonly downstreamDefaultTtlSeconds: number;
  /** `CACHE_DOWNSTREAM_DEFAULT_SIE_S`: stale-if-error window for downstream entries without one. */
  readonly downstreamDefaultStaleIfErrorSeconds: number;
}

const KEY_PREFIX = /^[A-Za-z0-9:_.-]{1,64}$/;

/** Reads the `CACHE_*` variables; defaults work without Redis. */
export function readCacheConfig(r: EnvReader, redisUrl: string | undefined): CacheConfig {
  const keyPrefix = r.raw('CACHE_KEY_PREFIX') ?? 'bff:cache:';
  if (!KEY_PREFIX.test(keyPrefix)) {
    r.problems.push(`CACHE_KEY_PREFIX must be 1-64 letters, digits or ":_.-" (got "${keyPrefix}")`);
  }
  return {
    enabled: r.bool('CACHE_ENABLED', true),
    memoryMaxEntries: r.int('CACHE_MEMORY_MAX_ENTRIES', 10_000, 1, 10_000_000),
    memoryMaxBytes: r.int('CACHE_MEMORY_MAX_BYTES', 64 * 1_048_576, 1_024, 17_179_869_184),
    maxEntryBytes: r.int('CACHE_MAX_ENTRY_BYTES', 1_048_576, 64, 104_857_600),
    redisUrl: r.bool('CACHE_REDIS', true) ? redisUrl : undefined,
    keyPrefix,
    redisTimeoutMs: r.int('CACHE_REDIS_TIMEOUT_MS', 50, 1, 10_000),
    redisBackoffMs: r.int('CACHE_REDIS_BACKOFF_MS', 2_000, 0, 600_000),
    downstream: r.bool('CACHE_DOWNSTREAM', true),
    downstreamDefaultTtlSeconds: r.int('CACHE_DOWNSTREAM_DEFAULT_TTL_S', 0, 0, 86_400),
    downstreamDefaultStaleIfErrorSeconds: r.int('CACHE_DOWNSTREAM_DEFAULT_SIE_S', 0, 0, 604_800),
  };
}
