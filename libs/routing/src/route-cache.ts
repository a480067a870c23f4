import { BadUpstreamResponseError, BffError, isBffError, type Principal } from '@app/core';
import type { PassThroughResponse } from '@app/downstream';
import {
  type CacheCounters,
  HttpCache,
  type HttpEntry,
  type Lookup,
  applyServed,
  cacheCounters,
  callerScope,
  canonicalDownstreamPath,
  storeRefusedCounter,
} from '@app/cache';
import { BffConfig } from '@app/config';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { forwardResponseHeaders } from './proxy-headers';
import { resolveUpstreamPath } from './proxy-path';
import type { CompiledRoute, CompiledRouteCache } from './route-table.types';

/** A request of `only-if-cached` that the cache cannot answer (RFC 9111 §5.2.1.7). */
export class NotCachedError extends BffError {
  readonly status = 504;
  readonly code = 'NOT_CACHED';
}

/** Calls the route's downstream with these headers (GET). */
export type OriginFetch = (headers: Record<string, string>) => Promise<PassThroughResponse>;

type CachedRoute = CompiledRoute & { readonly cache: CompiledRouteCache };

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** BFF-fixed headers among those the proxy builds; every other client header is dropped here. */
const FIXED_PREFIX = 'x-forwarded-';

function scopeOf(principal: Principal | undefined): string {
  return principal === undefined ? 'pub' : callerScope(principal);
}

async function readUpTo(
  body: Readable,
  limit: number,
  service: string,
): Promise<{ whole: Buffer } | { head: Buffer[] }> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    // Leaving the loop early must not destroy the body: the rest is streamed on after `head`.
    for await (const chunk of body.iterator({ destroyOnReturn: false })) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size > limit) return { head: chunks };
    }
  } catch (error) {
    throw new BadUpstreamResponseError(`Downstream ${service} broke off its answer`, service, {
      cause: error,
    });
  }
  return { whole: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The shared HTTP cache on declarative routes (RFC 9111, through libs/cache's {@link HttpCache}).
 *
 * Unkeyed input never reaches a shared entry: on a cached GET/HEAD the origin gets only headers
 * the BFF fixes (`X-Forwarded-*` from the connection and the configured public host, request id,
 * trace, verified user context) and the route's `cacheKeyHeaders`, which are part of the key
 * (stored as an implicit `Vary`). The query is keyed whole, a GET body is never forwarded, and a
 * verified caller's entries are that caller's own.
 */
@Injectable()
export class RouteCache {
  private readonly counters = new Map<string, CacheCounters>();
  private readonly refused = storeRefusedCounter();
  private readonly refreshing = new Set<string>();

  private readonly publicHost: string | undefined;

  constructor(
    @Inject(BffConfig) config: BffConfig,
    @Optional() private readonly http?: HttpCache,
  ) {
    this.publicHost = config.routing.publicHost;
  }

  /** True when GET/HEAD answers of this route go through the cache. */
  isCached(route: CompiledRoute): route is CachedRoute {
    return route.cache !== undefined && this.http?.enabled === true;
  }

  /** Client headers kept for the origin on a cached GET: the BFF's own and the keyed ones. */
  private originHeaders(
    route: CachedRoute,
    forwarded: Record<string, string>,
  ): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name in forwarded) {
      if (
        name.startsWith(FIXED_PREFIX) ||
        route.cache.keyHeaders.includes(name) ||
        route.cache.unkeyedHeaders.includes(name)
      ) {
        out[name] = forwarded[name];
      }
    }
    // The client's Host is unkeyed: the configured public host replaces it, or nothing is sent.
    if (this.publicHost === undefined) delete out['x-forwarded-host'];
    else out['x-forwarded-host'] = this.publicHost;
    return out;
  }

  /** Serves a GET/HEAD of a cached route: from the cache, after revalidation, or from the origin. */
  async serve(
    route: CachedRoute,
    request: FastifyRequest,
    reply: FastifyReply,
    path: string,
    forwarded: () => Record<string, string>,
    fetch: OriginFetch,
  ): Promise<void> {
    const http = this.http as HttpCache;
    const principal = request.bffContext.principal;
    const key = this.keyOf(route, path, principal);
    const counters = this.countersOf(route);
    const lookup = await http.lookup(key, request.headers);
    if (lookup.state === 'hit') {
      // The hit path builds no origin headers at all.
      counters.hit.inc();
      return this.send(request, reply, lookup.entry, 'HIT');
    }
    const headers = this.originHeaders(route, forwarded());
    switch (lookup.state) {
      case 'stale':
        counters.stale.inc();
        this.refreshInBackground(route, request, key, lookup, headers, fetch);
        return this.send(request, reply, lookup.entry, 'STALE');
      case 'revalidate':
        return this.revalidate(route, request, reply, key, lookup, headers, fetch);
      case 'miss':
        if (/only-if-cached/i.test(single(request.headers['cache-control']) ?? '')) {
          throw new NotCachedError('The answer is not in the cache (only-if-cached)');
        }
        counters.miss.inc();
        return this.fetchAndStore(route, request, reply, key, headers, fetch);
    }
  }

  /**
   * After a successful unsafe request: drops the stored GET/HEAD answers of its path and of
   * same-host `Location`/`Content-Location` (RFC 9111 §4.4), for everyone and for the caller.
   */
  async invalidateAfter(
    route: CompiledRoute,
    request: FastifyRequest,
    path: string,
    status: number,
    responseHeaders: Readonly<Record<string, string | string[] | undefined>>,
  ): Promise<void> {
    if (!this.isCached(route) || !UNSAFE.has(request.method) || status < 200 || status >= 400) {
      return;
    }
    const paths = new Set([canonicalDownstreamPath(path)]);
    for (const name of ['location', 'content-location']) {
      const target = this.sameHostPath(route, request, path, single(responseHeaders[name]));
      if (target !== undefined) paths.add(canonicalDownstreamPath(target));
    }
    const principal = request.bffContext.principal;
    const keys: string[] = [];
    for (const p of paths) {
      keys.push(this.keyOf(route, p, undefined));
      if (principal !== undefined) keys.push(this.keyOf(route, p, principal));
    }
    await (this.http as HttpCache).invalidate(keys);
  }

  private keyOf(route: CompiledRoute, path: string, principal: Principal | undefined): string {
    return `p:${route.settings.name}:${scopeOf(principal)}:${canonicalDownstreamPath(path)}`;
  }

  /** A `Location` in the downstream's URL space, or in the client's when it names the BFF's host. */
  private sameHostPath(
    route: CompiledRoute,
    request: FastifyRequest,
    path: string,
    value: string | undefined,
  ): string | undefined {
    if (value === undefined || value.length > 2048) return undefined;
    try {
      const base = new URL(path, 'http://downstream.invalid');
      const url = new URL(value, base);
      if (url.host === base.host) return url.pathname + url.search;
      if (url.host === request.headers.host) {
        return resolveUpstreamPath(url.pathname + url.search, route);
      }
      return undefined;
    } catch {
      return undefined;
    }
  }

  private countersOf(route: CompiledRoute): CacheCounters {
    let counters = this.counters.get(route.settings.name);
    if (counters === undefined) {
      counters = cacheCounters('proxy', route.settings.name);
      this.counters.set(route.settings.name, counters);
    }
    return counters;
  }

  private send(
    request: FastifyRequest,
    reply: FastifyReply,
    entry: HttpEntry,
    state: string,
  ): void {
    const served = (this.http as HttpCache).served(entry);
    const body = applyServed(reply, request.method, request.headers, served, state);
    void reply.send(body);
  }

  /** Conditional request for a stored answer; 304 refreshes it, a failure may serve it stale. */
  private async revalidate(
    route: CachedRoute,
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    lookup: Extract<Lookup, { state: 'revalidate' }>,
    headers: Record<string, string>,
    fetch: OriginFetch,
  ): Promise<void> {
    const http = this.http as HttpCache;
    const counters = this.countersOf(route);
    let res: PassThroughResponse;
    try {
      res = await fetch({ ...headers, ...lookup.revalidation });
    } catch (error) {
      if (this.staleOnError(lookup, error)) {
        counters.stale.inc();
        return this.send(request, reply, lookup.entry, 'STALE');
      }
      throw error;
    }
    if (res.status === 304) {
      res.body.resume();
      const refreshed = http.refresh(key, request.headers, lookup.entry, res, lookup.vary);
      if (refreshed !== undefined) {
        counters.revalidated.inc();
        return this.send(request, reply, refreshed, 'REVALIDATED');
      }
      // The 304 does not select the stored answer: ask again without validators.
      counters.miss.inc();
      return this.fetchAndStore(route, request, reply, key, headers, fetch);
    }
    if (res.status >= 500 && this.staleOnError(lookup, undefined)) {
      res.body.resume();
      counters.stale.inc();
      return this.send(request, reply, lookup.entry, 'STALE');
    }
    counters.miss.inc();
    return this.storeAndSend(route, request, reply, key, res);
  }

  private staleOnError(lookup: { entry: HttpEntry }, error: unknown): boolean {
    if (error !== undefined && (!isBffError(error) || error.status < 500)) return false;
    return (this.http as HttpCache).allowsStaleOnError(lookup.entry);
  }

  private refreshInBackground(
    route: CachedRoute,
    request: FastifyRequest,
    key: string,
    lookup: Extract<Lookup, { state: 'stale' }>,
    headers: Record<string, string>,
    fetch: OriginFetch,
  ): void {
    if (this.refreshing.has(key)) return;
    this.refreshing.add(key);
    const http = this.http as HttpCache;
    const clientHeaders = { ...request.headers };
    const principal = request.bffContext.principal;
    fetch({ ...headers, ...lookup.revalidation })
      .then(async (res) => {
        if (res.status === 304) {
          res.body.resume();
          http.refresh(key, clientHeaders, lookup.entry, res, lookup.vary);
          return;
        }
        const read = await readUpTo(res.body, http.store.config.maxEntryBytes, route.service);
        if ('head' in read) {
          res.body.destroy();
          return;
        }
        this.offer(route, key, clientHeaders, principal, res, read.whole);
      })
      .catch(() => undefined)
      .finally(() => this.refreshing.delete(key));
  }

  private async fetchAndStore(
    route: CachedRoute,
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    headers: Record<string, string>,
    fetch: OriginFetch,
  ): Promise<void> {
    const res = await fetch(headers);
    return this.storeAndSend(route, request, reply, key, res);
  }

  /** Reads the answer (up to the entry limit), offers it to the cache and sends it. */
  private async storeAndSend(
    route: CachedRoute,
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    res: PassThroughResponse,
  ): Promise<void> {
    const http = this.http as HttpCache;
    const limit = http.store.config.maxEntryBytes;
    const declared = Number(res.headers['content-length']);
    const read =
      declared > limit ? { head: [] as Buffer[] } : await readUpTo(res.body, limit, route.service);
    if ('head' in read) {
      // Too large to store: streamed as it comes.
      this.refused.labels('proxy', route.settings.name, 'too-large').inc();
      reply
        .status(res.status)
        .headers(forwardResponseHeaders(res.headers))
        .header('x-cache', 'MISS');
      const rest = res.body;
      void reply.send(
        read.head.length === 0
          ? rest
          : Readable.from(
              (async function* () {
                yield* read.head;
                yield* rest;
              })(),
            ),
      );
      return;
    }
    const principal = request.bffContext.principal;
    const entry = this.offer(route, key, request.headers, principal, res, read.whole);
    if (entry !== undefined) return this.send(request, reply, entry, 'MISS');
    const served = {
      status: res.status,
      headers: forwardResponseHeaders(res.headers),
      body: read.whole,
    };
    void reply.send(applyServed(reply, request.method, request.headers, served, 'MISS'));
  }

  private offer(
    route: CachedRoute,
    key: string,
    clientHeaders: FastifyRequest['headers'],
    principal: Principal | undefined,
    res: PassThroughResponse,
    body: Buffer,
  ): HttpEntry | undefined {
    const http = this.http as HttpCache;
    const stored = http.offer(
      key,
      clientHeaders,
      { status: res.status, headers: forwardResponseHeaders(res.headers), body },
      {
        shared: principal === undefined,
        bounds: route.cache.bounds,
        tags: [`route:${route.settings.name}`],
        alsoVary: route.cache.keyHeaders,
      },
    );
    if (typeof stored === 'string') {
      this.refused.labels('proxy', route.settings.name, stored).inc();
      return undefined;
    }
    return stored;
  }
}
