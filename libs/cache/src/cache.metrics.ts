import { Counter, register } from 'prom-client';

export type CacheLayer = 'response' | 'downstream';
/**
 * - hit: served fresh from the cache; miss: fetched and (when allowed) stored;
 * - stale: served past freshness (stale-while-revalidate or stale-if-error);
 * - coalesced: a concurrent miss that waited for another request's fetch (single-flight);
 * - bypass: not cacheable (credentials without a verified user, ambiguous path, Redis-free error).
 */
export type CacheResult = 'hit' | 'miss' | 'stale' | 'coalesced' | 'bypass';

const RESULTS: readonly CacheResult[] = ['hit', 'miss', 'stale', 'coalesced', 'bypass'];

// Several apps (or tests) in one process share prom-client's default registry: reuse, never re-register.
function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  return (
    (register.getSingleMetric(name) as Counter<string> | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

export type CacheCounters = Readonly<Record<CacheResult, { inc(): void }>>;

/** Cache outcome counters of one layer, bound to their labels once (no label lookup per request). */
export function cacheCounters(layer: CacheLayer): CacheCounters {
  const requests = counter(
    'bff_cache_requests_total',
    'Cache lookups by layer (response, downstream) and result (hit, miss, stale, coalesced, bypass)',
    ['layer', 'result'],
  );
  return Object.fromEntries(RESULTS.map((r) => [r, requests.labels(layer, r)])) as CacheCounters;
}

/** Counter of failed cache store operations (Redis down or slow: the cache was bypassed). */
export function storeErrorCounter(): { inc(): void } {
  return counter(
    'bff_cache_store_errors_total',
    'Failed cache store operations (the cache was bypassed)',
    ['store'],
  ).labels('redis');
}
