import { Injectable } from '@nestjs/common';
import { isBffError } from '@app/core';
import type { DownstreamCall, DownstreamMiddleware, RawResponse } from '@app/downstream';
import type { DownstreamServiceConfig } from '@app/config';
import { canServeOnError, freshnessOf, type CacheEntry } from './cache.entry';
import { sharedStoragePolicy } from './cache-control';
import { canonicalDownstreamPath, hasCredentials, strongEtag, varyHeaders } from './cache.keys';
import { cacheCounters } from './cache.metrics';
import { markStale } from './request-marks';
import { TieredCache } from './tiered.cache';

/** Header added to responses served by the downstream cache (HIT or STALE). */
export const DOWNSTREAM_CACHE_HEADER = 'x-bff-cache';

export interface DownstreamCacheOptions {
  /**
   * Tags of a stored downstream response. Default: the service name and `<service>:<path>`
   * (without query), e.g. `orders:/orders/ord_00001`.
   */
  tags?: (call: DownstreamCall) => readonly string[];
}

const TEXTUAL = /json|^text\//;

function header(res: RawResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function fromEntry(entry: CacheEntry, state: 'HIT' | 'STALE'): RawResponse {
  return {
    status: entry.status,
    headers: {
      'content-type': entry.contentType,
      etag: entry.etag,
      age: String(Math.max(0, Math.floor((Date.now() - entry.storedAt) / 1000))),
      [DOWNSTREAM_CACHE_HEADER]: state,
    },
    body: Buffer.from(entry.body, 'utf8'),
  };
}

/** Client errors (404, 409...) are answers, not failures: never replaced by stale data. */
function isFailure(error: unknown): boolean {
  if (isBffError(error)) return error.status >= 500;
  return true;
}

/**
 * Builds the downstream cache middleware of each service. It honours the downstream's
 * `Cache-Control` as a shared cache would (max-age, s-maxage, no-store, private,
 * stale-while-revalidate, stale-if-error), collapses concurrent misses into one call, and serves
 * stale data when the call fails (5xx, timeout, unreachable, open breaker) within stale-if-error.
 *
 * Fills the `cache` slot of a service's stack (`downstreamStack`, @app/downstream), above retry,
 * breaker and bulkhead: a hit skips them, and a breaker-open error from below can still be
 * answered from a stale entry.
 */
@Injectable()
export class DownstreamCache {
  private readonly counters = cacheCounters('downstream');
  private readonly revalidating = new Set<string>();

  constructor(private readonly cache: TieredCache) {}

  /**
   * The cache side of the aggregation fallbacks: any stored copy of a downstream GET, however
   * stale, for `optional(run, downstreamCache.staleFallback('reviews', dpath\`/reviews/summary/${id}\`))`.
   * `path` is the downstream path with its query string, as the call sent it. The response is
   * marked stale (`X-Cache: STALE`, `meta.stale`); gives undefined when nothing is stored.
   */
  staleFallback<T>(service: string, path: string): StaleFallback<T> {
    const key = `d:${service}:${canonicalDownstreamPath(path)}`;
    return async () => {
      const entry = await this.cache.lookup(key, { accept: 'application/json' });
      if (entry === undefined) return undefined;
      this.counters.stale.inc();
      markStale();
      return (/json/.test(entry.contentType) ? JSON.parse(entry.body) : entry.body) as T;
    };
  }

  /** The middleware for one service; returns a pass-through when caching is off. */
  middleware(
    service: DownstreamServiceConfig,
    options: DownstreamCacheOptions = {},
  ): DownstreamMiddleware {
    const config = this.cache.config;
    if (!config.enabled || !config.downstream) return (next) => next;
    const defaults = {
      defaultTtlSeconds: config.downstreamDefaultTtlSeconds,
      defaultStaleIfErrorSeconds: config.downstreamDefaultStaleIfErrorSeconds,
    };
    const prefix = `d:${service.name}:`;
    const tagsOf =
      options.tags ??
      ((call: DownstreamCall) => {
        const q = call.path.indexOf('?');
        return [service.name, `${service.name}:${q < 0 ? call.path : call.path.slice(0, q)}`];
      });

    return (next) => {
      const fetchAndStore = async (call: DownstreamCall, key: string): Promise<RawResponse> => {
        const res = await next(call);
        const credentials = hasCredentials(call.headers);
        const policy = sharedStoragePolicy(res.status, res.headers, credentials, defaults);
        const type = header(res, 'content-type') ?? '';
        if (policy === undefined || !TEXTUAL.test(type)) return res;
        const vary = varyHeaders(res.headers.vary);
        if (vary === '*') return res;
        const body = res.body.toString('utf8');
        const entry: CacheEntry = {
          kind: 'response',
          status: res.status,
          body,
          contentType: type,
          etag: header(res, 'etag') ?? strongEtag(body),
          storedAt: Date.now(),
          ...policy,
          tags: tagsOf(call),
          visibility: 'public',
        };
        this.cache.store(key, entry, vary, call.headers);
        return res;
      };

      const revalidate = (call: DownstreamCall, key: string): void => {
        if (this.revalidating.has(key)) return;
        this.revalidating.add(key);
        // The refresh outlives the request: its own timeout, not the caller's signal.
        const detached: DownstreamCall = {
          ...call,
          headers: { ...call.headers },
          signal: AbortSignal.timeout(call.service.timeoutMs),
          callerSignal: undefined,
        };
        fetchAndStore(detached, key)
          .catch(() => undefined)
          .finally(() => this.revalidating.delete(key));
      };

      return async (call) => {
        // Pass-through calls (@app/routing) hand back an unread stream: nothing to store or share.
        if (call.method !== 'GET' || call.passThrough === true) return next(call);
        const key = prefix + canonicalDownstreamPath(call.path);
        const entry = await this.cache.lookup(key, call.headers);
        if (entry !== undefined) {
          const state = freshnessOf(entry);
          if (state === 'fresh') {
            this.counters.hit.inc();
            return fromEntry(entry, 'HIT');
          }
          if (state === 'stale-revalidate') {
            this.counters.stale.inc();
            revalidate(call, key);
            return fromEntry(entry, 'STALE');
          }
        }
        const flight = this.cache.singleFlight(key, () =>
          fetchAndStore(call, key).catch((error: unknown) => {
            throw call.callerSignal?.aborted === true ? new LeaderCancelled(error) : error;
          }),
        );
        try {
          const res = await flight.promise;
          (flight.leader ? this.counters.miss : this.counters.coalesced).inc();
          return res;
        } catch (caught) {
          if (caught instanceof LeaderCancelled) {
            if (flight.leader) throw caught.error;
            // The leader's caller gave up (e.g. a sibling part failed); this caller did not.
            return next(call);
          }
          const error = caught;
          if (isFailure(error) && canServeOnError(entry)) {
            this.counters.stale.inc();
            markStale();
            return fromEntry(entry as CacheEntry, 'STALE');
          }
          throw error;
        }
      };
    };
  }
}

/** What `optional(run, fallback)` of the aggregation lib accepts as a fallback. */
export type StaleFallback<T> = (error: unknown) => Promise<T | undefined>;

/** The single-flight leader was cancelled by its own caller: followers must not inherit that. */
class LeaderCancelled {
  constructor(readonly error: unknown) {}
}
