import { SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export const RESPONSE_CACHE_METADATA = 'bff:response-cache';

/** How one route's whole response is cached. Durations are in seconds. */
export interface ResponseCacheOptions {
  /** Freshness: served from the cache without calling the handler. */
  ttl: number;
  /** stale-while-revalidate: after `ttl`, served stale while one background refresh runs. */
  swr?: number;
  /** stale-if-error: after `ttl`, served stale (marked) when the handler fails with a 5xx. */
  sie?: number;
  /**
   * `public`: one entry shared by every caller (only for content that never depends on who asks).
   * `user` (default): one entry per verified user (`principal.subject`), one shared by anonymous
   * callers, and no caching for requests carrying credentials that no guard verified.
   */
  scope?: 'public' | 'user';
  /**
   * Query parameters the handler reads (part of the key). A request naming any other parameter
   * is not served from nor stored in the cache: the handler's validation answers it, and
   * `?x=1..n` cannot flood the cache. Default: any query, all of it in the key.
   */
  query?: readonly string[];
  /** Invalidation tags from the request, e.g. `({ params }) => ['product:' + params.id]`. */
  tags?: (request: FastifyRequest & { params: Record<string, string> }) => readonly string[];
}

/**
 * Caches the whole response of a GET route (after shaping): ETag/304, `Cache-Control`, `Age`,
 * stale-while-revalidate, stale-if-error and single-flight. See {@link ResponseCacheOptions}.
 */
export const CacheResponse = (options: ResponseCacheOptions): MethodDecorator & ClassDecorator =>
  SetMetadata(RESPONSE_CACHE_METADATA, options);
