import type CachePolicy from 'http-cache-semantics';
import type { FreshnessBounds } from './http-cache.policy';
/** One stored response, in memory as is and in Redis as JSON. Times are epoch milliseconds. */
export interface CacheEntry {
  readonly kind: 'response';
  /** Status of the stored response (only complete 200s are stored today). */
  readonly status: number;
  /** Body text: the final JSON of a BFF response, or a downstream's JSON/text body. */
  readonly body: string;
  readonly contentType: string;
  /** Strong validator of `body`. */
  readonly etag: string;
  readonly storedAt: number;
  /** How long the entry is fresh. */
  readonly freshMs: number;
  /** After freshness: served while one background refresh runs (stale-while-revalidate). */
  readonly swrMs: number;
  /** After freshness: served when the origin fails (stale-if-error). */
  readonly sieMs: number;
  /** Invalidation tags, e.g. `product:prd_0001`. */
  readonly tags: readonly string[];
  /** `Cache-Control` visibility sent to clients. */
  readonly visibility: 'public' | 'private';
}

/**
 * Stored under a base key when the response `Vary`s on request headers: the entry itself lives
 * under the base key plus the values of those headers.
 */
export interface VaryMarker {
  readonly kind: 'vary';
  /** Lower-case request header names, sorted. */
  readonly vary: readonly string[];
  /** Generation of the HTTP cache's variants (`key#gen:...`): a new one orphans the old variants. */
  readonly gen?: string;
  readonly storedAt: number;
  readonly lifetimeMs: number;
}

/**
 * One answer of the HTTP cache (libs/cache/src/http-cache.ts): the body and the RFC 9111 policy
 * (http-cache-semantics' serialised form, which holds the stored response headers).
 */
export interface HttpEntry {
  readonly kind: 'http';
  readonly status: number;
  readonly policy: CachePolicy.CachePolicyObject;
  readonly bounds: FreshnessBounds;
  /** Body text (utf8) or bytes (base64), so that Redis can hold it as JSON. */
  readonly body: string;
  readonly encoding: 'utf8' | 'base64';
  /** Invalidation tags, e.g. `route:catalog`. */
  readonly tags: readonly string[];
}

export type StoredValue = CacheEntry | VaryMarker | HttpEntry;

export type Freshness = 'fresh' | 'stale-revalidate' | 'stale' | 'expired';

/** Total time an entry is worth keeping: freshness plus the longer stale window. */
export function lifetimeMs(entry: Pick<CacheEntry, 'freshMs' | 'swrMs' | 'sieMs'>): number {
  return entry.freshMs + Math.max(entry.swrMs, entry.sieMs);
}

/**
 * Where an entry stands at `now`: fresh; stale but servable while revalidating; stale and only
 * servable on error (`stale`, check {@link canServeOnError}); or past every window.
 */
export function freshnessOf(entry: CacheEntry, now = Date.now()): Freshness {
  const age = now - entry.storedAt;
  if (age < entry.freshMs) return 'fresh';
  if (age < entry.freshMs + entry.swrMs) return 'stale-revalidate';
  if (age < entry.freshMs + entry.sieMs) return 'stale';
  return 'expired';
}

/** True when the entry may stand in for a failed origin (stale-if-error window not over). */
export function canServeOnError(entry: CacheEntry | undefined, now = Date.now()): boolean {
  return entry !== undefined && now - entry.storedAt < entry.freshMs + entry.sieMs;
}
