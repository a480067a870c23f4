import { CallHandler, ExecutionContext, Inject, Injectable, StreamableFile } from '@nestjs/common';
import { CACHE_MANAGER, CacheInterceptor, type Cache } from '@nestjs/cache-manager';
import { Reflector } from '@nestjs/core';
import type { RequestContext, RouteSettings } from '@app/core';
import { isBffError } from '@app/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, lastValueFrom, map, of } from 'rxjs';
import { ageSeconds, canServeOnError, freshnessOf, type CacheEntry } from './cache.entry';
import { parseCacheControl } from './cache-control';
import {
  canonicalPath,
  canonicalQuery,
  digest,
  etagMatches,
  hasCredentials,
  strongEtag,
  varyHeaders,
} from './cache.keys';
import { cacheCounters } from './cache.metrics';
import { BFF_CACHE_OPTIONS, type BffCacheModuleOptions } from './cache.options';
import { RESPONSE_CACHE_METADATA, type ResponseCacheOptions } from './response-cache.decorator';
import { isMarkedStale, responseTags } from './request-marks';
import { TieredCache } from './tiered.cache';

/** Response header telling clients where the body came from: HIT, MISS, STALE. */
export const CACHE_STATUS_HEADER = 'x-cache';

interface Policy {
  freshMs: number;
  swrMs: number;
  sieMs: number;
  scope: 'public' | 'user';
  query?: readonly string[];
  tags?: ResponseCacheOptions['tags'];
  /** `Cache-Control` sent with a stored response, built once. */
  cacheControl: string;
}

interface Fetched {
  body: unknown;
  entry?: CacheEntry;
}

type Request = FastifyRequest & { params: Record<string, string> };

function toPolicy(o: ResponseCacheOptions): Policy {
  const scope = o.scope ?? 'user';
  const swr = o.swr ?? 0;
  const sie = o.sie ?? 0;
  let cacheControl = `${scope === 'public' ? 'public' : 'private'}, max-age=${o.ttl}`;
  if (swr > 0) cacheControl += `, stale-while-revalidate=${swr}`;
  if (sie > 0) cacheControl += `, stale-if-error=${sie}`;
  return {
    freshMs: o.ttl * 1000,
    swrMs: swr * 1000,
    sieMs: sie * 1000,
    scope,
    query: o.query,
    tags: o.tags,
    cacheControl,
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A 5xx (downstream down, timed out, breaker open) may be answered stale; a 4xx may not. */
function isFailure(error: unknown): boolean {
  if (isBffError(error)) return error.status >= 500;
  const status = (error as { getStatus?: () => number } | null)?.getStatus?.();
  return typeof status !== 'number' || status >= 500;
}

/** Adds `meta.stale: true` to an aggregate body (one with a `meta` object); others unchanged. */
function markBodyStale(body: unknown): unknown {
  if (!isPlainObject(body) || !isPlainObject(body.meta)) return body;
  return { ...body, meta: { ...body.meta, stale: true } };
}

/**
 * Whole-response cache of the BFF routes, extending Nest's `CacheInterceptor` (its `trackBy` and
 * `isRequestCacheable` hooks give the safe key and the eligibility; `intercept` adds what Nest's
 * does not have: ETag/304, Cache-Control/Age, stale-while-revalidate, stale-if-error,
 * single-flight and the two cache levels).
 *
 * Registered globally before the shaping interceptor, so it sees and stores the final shaped body;
 * routes without `@CacheResponse` (and without a route-table TTL) pass through, only marked
 * `X-Cache: STALE` when a downstream part was served stale.
 */
@Injectable()
export class ResponseCacheInterceptor extends CacheInterceptor {
  private readonly counters = cacheCounters('response');
  private readonly byHandler = new WeakMap<object, Policy | null>();
  private readonly byRoute = new Map<string, Policy>();
  private readonly revalidating = new Set<string>();
  private readonly keyPrefix: string;

  constructor(
    @Inject(CACHE_MANAGER) cacheManager: Cache,
    reflector: Reflector,
    private readonly cache: TieredCache,
    @Inject(BFF_CACHE_OPTIONS) options: BffCacheModuleOptions,
  ) {
    super(cacheManager, reflector);
    this.keyPrefix = `r:${options.app}:`;
  }

  override async intercept(
    context: ExecutionContext,
    next: CallHandler,
  ): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const reply = http.getResponse<FastifyReply>();
    const policy = this.policyOf(context);
    if (policy === undefined || !this.isRequestCacheable(context)) {
      return this.passThrough(next, request, reply);
    }
    const key = await this.trackBy(context);
    if (typeof key !== 'string') {
      this.counters.bypass.inc();
      return this.passThrough(next, request, reply);
    }

    const entry = await this.cache.lookup(key, request.headers);
    if (entry !== undefined) {
      const state = freshnessOf(entry);
      if (state === 'fresh') {
        this.counters.hit.inc();
        return of(this.respond(request, reply, entry, 'HIT'));
      }
      if (state === 'stale-revalidate') {
        this.counters.stale.inc();
        this.revalidate(key, next, request, reply, policy);
        return of(this.respond(request, reply, entry, 'STALE'));
      }
    }

    const flight = this.cache.singleFlight(key, () =>
      this.fetch(key, next, request, reply, policy, false),
    );
    let fetched: Fetched;
    try {
      fetched = await flight.promise;
    } catch (error) {
      if (entry !== undefined && isFailure(error) && canServeOnError(entry)) {
        this.counters.stale.inc();
        return of(this.respondStaleOnError(reply, entry));
      }
      throw error;
    }
    if (!flight.leader) {
      if (fetched.entry === undefined) return this.passThrough(next, request, reply);
      this.counters.coalesced.inc();
      return of(this.respond(request, reply, fetched.entry, 'HIT'));
    }
    this.counters.miss.inc();
    if (fetched.entry !== undefined) return of(this.respond(request, reply, fetched.entry, 'MISS'));
    return of(this.finish(fetched.body, request, reply));
  }

  /**
   * The safe key: app, canonical path (rebuilt from the matched route and its parameters), sorted
   * query and the scope (`pub`, `anon` or the verified user). Undefined = do not cache.
   */
  protected override trackBy(context: ExecutionContext): string | undefined {
    const request = context.switchToHttp().getRequest<Request>();
    const policy = this.policyOf(context);
    const pattern = request.routeOptions?.url;
    if (policy === undefined || pattern === undefined) return undefined;
    const path = canonicalPath(pattern, request.params ?? {});
    if (path === undefined) return undefined;
    const scope = scopeOf(policy, request);
    if (scope === undefined) return undefined;
    const query = canonicalQuery(request.query as Record<string, unknown>, policy.query);
    if (query === undefined) return undefined;
    return `${this.keyPrefix}${path}?${query}|${scope}`;
  }

  protected override isRequestCacheable(context: ExecutionContext): boolean {
    return this.cache.config.enabled && super.isRequestCacheable(context);
  }

  private policyOf(context: ExecutionContext): Policy | undefined {
    const handler = context.getHandler();
    let policy = this.byHandler.get(handler);
    if (policy === undefined) {
      const options =
        this.reflector.get<ResponseCacheOptions | undefined>(RESPONSE_CACHE_METADATA, handler) ??
        this.reflector.get<ResponseCacheOptions | undefined>(
          RESPONSE_CACHE_METADATA,
          context.getClass(),
        );
      policy = options === undefined ? null : toPolicy(options);
      this.byHandler.set(handler, policy);
    }
    if (policy !== null) return policy;
    const route = context.switchToHttp().getRequest<FastifyRequest>().bffContext?.route;
    return route === undefined ? undefined : this.routePolicy(route);
  }

  /** Declarative routes of the route table: `cacheTtlSeconds`, per-user scope. */
  private routePolicy(route: RouteSettings): Policy | undefined {
    const ttl = route.cacheTtlSeconds;
    if (ttl === undefined || ttl <= 0) return undefined;
    const id = `${route.name}:${ttl}`;
    let policy = this.byRoute.get(id);
    if (policy === undefined) this.byRoute.set(id, (policy = toPolicy({ ttl, scope: 'user' })));
    return policy;
  }

  /** Runs the handler and stores its response when it is complete and shareable. */
  private async fetch(
    key: string,
    next: CallHandler,
    request: Request,
    reply: FastifyReply,
    policy: Policy,
    background: boolean,
  ): Promise<Fetched> {
    const body: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
    const ctx = request.bffContext;
    if (!this.storable(body, ctx, reply, background)) return { body };
    const vary = background ? [] : varyHeaders(reply.getHeader('vary') as string | undefined);
    if (vary === '*') return { body };
    const text = JSON.stringify(body);
    const tags = policy.tags === undefined ? [] : [...policy.tags(request)];
    for (const tag of responseTags(ctx)) if (!tags.includes(tag)) tags.push(tag);
    const entry: CacheEntry = {
      kind: 'response',
      status: 200,
      body: text,
      contentType: 'application/json; charset=utf-8',
      etag: strongEtag(text),
      storedAt: Date.now(),
      freshMs: policy.freshMs,
      swrMs: policy.swrMs,
      sieMs: policy.sieMs,
      tags,
      visibility: policy.scope === 'public' ? 'public' : 'private',
    };
    if (text.length <= this.cache.config.maxEntryBytes) {
      this.cache.store(key, entry, vary, request.headers);
    }
    return { body, entry };
  }

  /**
   * Only complete 200 JSON bodies without Set-Cookie are stored: never a partial aggregate, one
   * with stale parts, or one the handler marked `no-store`/`private`.
   */
  private storable(
    body: unknown,
    ctx: RequestContext | undefined,
    reply: FastifyReply,
    background: boolean,
  ): boolean {
    if (typeof body !== 'object' || body === null) return false;
    if (Buffer.isBuffer(body) || body instanceof StreamableFile || 'pipe' in body) return false;
    if (ctx === undefined || ctx.partial.length > 0 || isMarkedStale(ctx)) return false;
    // The reply of a background refresh is the stale one already sent: nothing to learn from it.
    if (background) return true;
    if (reply.statusCode !== 200 || reply.hasHeader('set-cookie')) return false;
    const cc = parseCacheControl(reply.getHeader('cache-control') as string | undefined);
    return !cc.noStore && !cc.private;
  }

  /** One background refresh per key and instance; failures keep the stale entry. */
  private revalidate(
    key: string,
    next: CallHandler,
    request: Request,
    reply: FastifyReply,
    policy: Policy,
  ): void {
    if (this.revalidating.has(key) || this.cache.isInFlight(key)) return;
    this.revalidating.add(key);
    this.fetch(key, next, request, reply, policy, true)
      .catch(() => undefined)
      .finally(() => this.revalidating.delete(key));
  }

  private respond(
    request: FastifyRequest,
    reply: FastifyReply,
    entry: CacheEntry,
    state: 'HIT' | 'MISS' | 'STALE',
  ): string | undefined {
    const policyCc = `${entry.visibility}, max-age=${Math.floor(entry.freshMs / 1000)}${
      entry.swrMs > 0 ? `, stale-while-revalidate=${Math.floor(entry.swrMs / 1000)}` : ''
    }${entry.sieMs > 0 ? `, stale-if-error=${Math.floor(entry.sieMs / 1000)}` : ''}`;
    reply
      .header('content-type', entry.contentType)
      .header('etag', entry.etag)
      .header('cache-control', policyCc)
      .header('age', String(ageSeconds(entry)))
      .header(CACHE_STATUS_HEADER, state);
    if (etagMatches(request.headers['if-none-match'], entry.etag)) {
      reply.status(304);
      return undefined;
    }
    return entry.body;
  }

  /** The origin failed: the stale copy is served, marked, and not to be stored by anyone. */
  private respondStaleOnError(reply: FastifyReply, entry: CacheEntry): string {
    let body = entry.body;
    try {
      body = JSON.stringify(markBodyStale(JSON.parse(body)));
    } catch {
      // Not JSON: served as stored.
    }
    reply
      .status(200)
      .header('content-type', entry.contentType)
      .header('cache-control', 'no-store')
      .header('age', String(ageSeconds(entry)))
      .header(CACHE_STATUS_HEADER, 'STALE');
    return body;
  }

  private passThrough(
    next: CallHandler,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Observable<unknown> {
    return next.handle().pipe(map((body: unknown) => this.finish(body, request, reply)));
  }

  /** A response built with stale downstream data says so (and is not stored downstream of us). */
  private finish(body: unknown, request: FastifyRequest, reply: FastifyReply): unknown {
    if (!isMarkedStale(request.bffContext)) return body;
    reply.header(CACHE_STATUS_HEADER, 'STALE').header('cache-control', 'no-store');
    return markBodyStale(body);
  }
}

/**
 * `pub` for public routes; for per-user routes the verified principal, `anon` without
 * credentials, and undefined (not cached) when credentials came that no guard verified.
 */
function scopeOf(policy: Policy, request: FastifyRequest): string | undefined {
  if (policy.scope === 'public') return 'pub';
  const principal = request.bffContext?.principal;
  if (principal !== undefined) {
    return `u:${digest(`${principal.kind}\n${principal.subject}\n${principal.orgId ?? ''}`)}`;
  }
  return hasCredentials(request.headers) ? undefined : 'anon';
}
