import { Counter, register } from 'prom-client';

export type CacheLayer = 'response' | 'downstream' | 'proxy';
/**
 * - hit: served fresh from the cache; miss: fetched and (when allowed) stored;
 * - stale: served past freshness (stale-while-revalidate or stale-if-error);
 * - revalidated: a stored answer validated by the origin (304) and served;
 * - coalesced: a concurrent miss that waited for another request's fetch (single-flight);
 * - bypass: not cacheable (credentials without a verified user, ambiguous path, Redis-free error).
 */
export type CacheResult = 'hit' | 'miss' | 'stale' | 'revalidated' | 'coalesced' | 'bypass';

const RESULTS: readonly CacheResult[] = [
  'hit',
  'miss',
  'stale',
  'revalidated',
  'coalesced',
  'bypass',
];

// Several apps (or tests) in one process share prom-client's default registry: reuse, never re-register.
function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  return (
    (register.getSingleMetric(name) as Counter<string> | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

export type CacheCounters = Readonly<Record<CacheResult, { inc(): void }>>;

/**
 * Cache outcome counters of one layer and route (pass-through route, handler route or downstream
 * service), bound to their labels once (no label lookup per request).
 */
export function cacheCounters(layer: CacheLayer, route = ''): CacheCounters {
  const requests = counter(
    'bff_cache_requests_total',
    'Cache lookups by layer (response, proxy, downstream), route and result (hit, miss, stale, revalidated, coalesced, bypass)',
    ['layer', 'route', 'result'],
  );
  return Object.fromEntries(
    RESULTS.map((r) => [r, requests.labels(layer, route, r)]),
  ) as CacheCounters;
}

/** Answers the cache was offered but did not store, by layer, route and reason. */
export function storeRefusedCounter(): Counter<string> {
  return counter(
    'bff_cache_store_refused_total',
    'Answers not stored by the HTTP cache, by layer, route and reason (no-store, private, vary-star, set-cookie, ...)',
    ['layer', 'route', 'reason'],
  );
}

/** Counter of failed cache store operations (Redis down or slow: the cache was bypassed). */
export function storeErrorCounter(): { inc(): void } {
  return counter(
    'bff_cache_store_errors_total',
    'Failed cache store operations (the cache was bypassed)',
    ['store'],
  ).labels('redis');
}
