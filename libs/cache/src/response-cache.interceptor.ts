import { CallHandler, ExecutionContext, Inject, Injectable, StreamableFile } from '@nestjs/common';
import { CACHE_MANAGER, CacheInterceptor, type Cache } from '@nestjs/cache-manager';
import { Reflector } from '@nestjs/core';
import type { RequestContext } from '@app/core';
import { isBffError } from '@app/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, lastValueFrom, map, of } from 'rxjs';
import type { HttpEntry } from './cache.entry';
import { parseCacheControl } from './cache-control';
import {
  canonicalPath,
  canonicalQuery,
  callerScope,
  hasCredentials,
  strongEtag,
  varyHeaders,
} from './cache.keys';
import { type CacheCounters, cacheCounters, storeRefusedCounter } from './cache.metrics';
import { CACHE_STATUS_HEADER, HttpCache, applyServed } from './http-cache';
import { BFF_CACHE_OPTIONS, type BffCacheModuleOptions } from './cache.options';
import { RESPONSE_CACHE_METADATA, type ResponseCacheOptions } from './response-cache.decorator';
import { isMarkedStale, responseTags } from './request-marks';

interface Policy {
  scope: 'public' | 'user';
  query?: readonly string[];
  tags?: ResponseCacheOptions['tags'];
  /** `Cache-Control` sent with a stored response, built once. */
  cacheControl: string;
  bounds: { defaultTtlSeconds: number; maxTtlSeconds: number };
}

interface Fetched {
  body: unknown;
  entry?: HttpEntry;
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
    scope,
    query: o.query,
    tags: o.tags,
    cacheControl,
    bounds: { defaultTtlSeconds: o.ttl, maxTtlSeconds: o.ttl },
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
 * Whole-response cache of the BFF's shaped endpoints (`@CacheResponse`), extending Nest's
 * `CacheInterceptor` (its `trackBy` and `isRequestCacheable` hooks give the safe key and the
 * eligibility). Lookup, storage and serving are libs/cache's {@link HttpCache}, the same code as
 * the pass-through proxy's: the handler's answer is stored with the `Cache-Control` it is served
 * with, so hits carry `Age`, HEAD is answered from the GET entry and conditionals get 304.
 * What the interceptor adds: stale-while-revalidate and stale-if-error with the handler as
 * origin, single-flight, and never a partial or stale-built answer stored.
 *
 * Registered globally before the shaping interceptor, so it sees and stores the final shaped body.
 * Pass-through routes never come here (libs/routing serves them); handlers without
 * `@CacheResponse` pass through, only marked `X-Cache: STALE` when a downstream part was stale.
 */
@Injectable()
export class ResponseCacheInterceptor extends CacheInterceptor {
  private readonly counters = new Map<string, CacheCounters>();
  private readonly refused = storeRefusedCounter();
  private readonly byHandler = new WeakMap<object, Policy | null>();
  private readonly revalidating = new Set<string>();
  private readonly keyPrefix: string;

  constructor(
    @Inject(CACHE_MANAGER) cacheManager: Cache,
    reflector: Reflector,
    private readonly cache: HttpCache,
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
    const counters = this.countersOf(request);
    const key = await this.trackBy(context);
    if (typeof key !== 'string') {
      counters.bypass.inc();
      return this.passThrough(next, request, reply);
    }

    const lookup = await this.cache.lookup(key, request.headers);
    if (lookup.state === 'hit') {
      counters.hit.inc();
      return of(this.respond(request, reply, lookup.entry, 'HIT'));
    }
    if (lookup.state === 'stale') {
      counters.stale.inc();
      this.revalidate(key, next, request, reply, policy);
      return of(this.respond(request, reply, lookup.entry, 'STALE'));
    }
    // 'revalidate': the handler cannot answer a conditional request; the entry stays for errors.
    const stored = lookup.state === 'revalidate' ? lookup.entry : undefined;

    const flight = this.cache.store.singleFlight(key, () =>
      this.fetch(key, next, request, reply, policy, false),
    );
    let fetched: Fetched;
    try {
      fetched = await flight.promise;
    } catch (error) {
      if (stored !== undefined && isFailure(error) && this.cache.allowsStaleOnError(stored)) {
        counters.stale.inc();
        return of(this.respondStaleOnError(reply, stored));
      }
      throw error;
    }
    if (!flight.leader) {
      if (fetched.entry === undefined) return this.passThrough(next, request, reply);
      counters.coalesced.inc();
      return of(this.respond(request, reply, fetched.entry, 'HIT'));
    }
    counters.miss.inc();
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

  /** GET and HEAD (answered from the GET entry), when caching is on. */
  protected override isRequestCacheable(context: ExecutionContext): boolean {
    const method = context.switchToHttp().getRequest<FastifyRequest>().method;
    return this.cache.enabled && (method === 'GET' || method === 'HEAD');
  }

  private countersOf(request: FastifyRequest): CacheCounters {
    const route = request.routeOptions?.url ?? '';
    let counters = this.counters.get(route);
    if (counters === undefined) {
      counters = cacheCounters('response', route);
      this.counters.set(route, counters);
    }
    return counters;
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
    return policy ?? undefined;
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
    if (!this.storable(body, ctx, reply, background)) {
      this.refused.labels('response', request.routeOptions?.url ?? '', 'incomplete').inc();
      return { body };
    }
    const vary = background ? [] : varyHeaders(reply.getHeader('vary') as string | undefined);
    if (vary === '*') return { body };
    const text = JSON.stringify(body);
    const tags = policy.tags === undefined ? [] : [...policy.tags(request)];
    for (const tag of responseTags(ctx)) if (!tags.includes(tag)) tags.push(tag);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      etag: strongEtag(text),
      'cache-control': policy.cacheControl,
    };
    if (vary.length > 0) headers.vary = vary.join(', ');
    const entry = this.cache.offer(
      key,
      request.headers,
      { status: 200, headers, body: Buffer.from(text) },
      { shared: policy.scope === 'public', bounds: policy.bounds, tags },
    );
    if (typeof entry === 'string') {
      this.refused.labels('response', request.routeOptions?.url ?? '', entry).inc();
      return { body };
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
    if (this.revalidating.has(key) || this.cache.store.isInFlight(key)) return;
    this.revalidating.add(key);
    this.fetch(key, next, request, reply, policy, true)
      .catch(() => undefined)
      .finally(() => this.revalidating.delete(key));
  }

  private respond(
    request: FastifyRequest,
    reply: FastifyReply,
    entry: HttpEntry,
    state: 'HIT' | 'MISS' | 'STALE',
  ): Buffer | undefined {
    return applyServed(reply, request.method, request.headers, this.cache.served(entry), state);
  }

  /** The origin failed: the stale copy is served, marked, and not to be stored by anyone. */
  private respondStaleOnError(reply: FastifyReply, entry: HttpEntry): string {
    const served = this.cache.served(entry);
    let body = served.body.toString('utf8');
    try {
      body = JSON.stringify(markBodyStale(JSON.parse(body)));
    } catch {
      // Not JSON: served as stored.
    }
    reply
      .status(200)
      .header('content-type', served.headers['content-type'])
      .header('cache-control', 'no-store')
      .header('age', served.headers.age)
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
  if (principal !== undefined) return callerScope(principal);
  return hasCredentials(request.headers) ? undefined : 'anon';
}
