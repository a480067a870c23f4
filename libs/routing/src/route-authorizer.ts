import type { BffConfig } from '@app/config';
import { BffError, type Principal } from '@app/core';
import { DownstreamClient } from '@app/downstream';
import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { routePolicyMetrics } from './route-policy.metrics';
import type { CompiledRoute } from './route-table.types';

/**
 * A route's external authorizer (`authorize` in routes.json): the Lambda-authorizer / Envoy
 * `ext_authz` pattern. The BFF POSTs the method, path, verified principal, client IP and chosen
 * headers to a service of the downstream registry and gets `{ "allow": bool, "headers"?: {...} }`.
 */
export interface CompiledAuthorizer {
  /** Registry service answering `POST path` (its timeout, breaker and pool apply). */
  readonly service: string;
  readonly path: string;
  /** Lower-case client headers sent along (and part of the cache key). */
  readonly headers: readonly string[];
  /** 0 = every request asks. */
  readonly cacheTtlMs: number;
  /** `open`: an unreachable authorizer lets the request through; `closed` (default) refuses it. */
  readonly failOpen: boolean;
}

/** The route's authorizer refused the request. */
export class AccessDeniedError extends BffError {
  readonly status = 403;
  readonly code = 'ACCESS_DENIED';
}

/** The authorizer did not answer usably and the route fails closed. */
export class AuthorizerUnavailableError extends BffError {
  readonly status = 503;
  readonly code = 'AUTHORIZER_UNAVAILABLE';
}

export interface Decision {
  readonly allow: boolean;
  /** Added to the downstream request on allow. */
  readonly headers: Readonly<Record<string, string>>;
}

const HEADER_NAME = /^[a-z0-9-]{1,64}$/;
const HEADER_VALUE = /^[\t\x20-\x7e]{0,1024}$/;
/** Decisions kept per route at most (least recently used go first). */
const CACHE_ENTRIES = 10_000;

type Problems = string[];

/** Validates `authorize` at boot. */
export function compileAuthorizer(
  raw: unknown,
  config: BffConfig,
  problems: Problems,
  at: (s: string) => string,
): CompiledAuthorizer | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(
      at('authorize must be an object { service, path, headers?, cacheTtlSeconds?, failureMode? }'),
    );
    return undefined;
  }
  const before = problems.length;
  const a = raw as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    if (!['service', 'path', 'headers', 'cacheTtlSeconds', 'failureMode'].includes(key)) {
      problems.push(at(`authorize: unknown field "${key}"`));
    }
  }
  const service = typeof a.service === 'string' ? config.downstreams[a.service] : undefined;
  if (service === undefined) {
    problems.push(at(`authorize.service "${String(a.service)}" is not in the downstream registry`));
  }
  if (typeof a.path !== 'string' || !/^(\/[A-Za-z0-9._~-]+)+$/.test(a.path)) {
    problems.push(at('authorize.path must be a plain path like /authorize'));
  }
  let headers: string[] = [];
  if (a.headers !== undefined) {
    if (
      !Array.isArray(a.headers) ||
      a.headers.length > 16 ||
      a.headers.some((h) => typeof h !== 'string' || !HEADER_NAME.test(h.toLowerCase()))
    ) {
      problems.push(at('authorize.headers must list at most 16 header names'));
    } else headers = [...new Set((a.headers as string[]).map((h) => h.toLowerCase()))].sort();
  }
  const ttl = a.cacheTtlSeconds ?? 60;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 3600) {
    problems.push(at('authorize.cacheTtlSeconds must be an integer between 0 and 3600'));
  }
  if (a.failureMode !== undefined && a.failureMode !== 'closed' && a.failureMode !== 'open') {
    problems.push(at('authorize.failureMode must be "closed" or "open"'));
  }
  if (problems.length > before) return undefined;
  return {
    service: (service as { name: string }).name,
    path: a.path as string,
    headers,
    cacheTtlMs: (ttl as number) * 1000,
    failOpen: a.failureMode === 'open',
  };
}

function principalView(p: Principal) {
  return {
    sub: p.subject,
    kind: p.kind,
    roles: p.roles,
    scopes: p.scopes,
    tier: p.tier,
    ...(p.orgId !== undefined ? { org_id: p.orgId } : {}),
    ...(p.clientName !== undefined ? { client: p.clientName } : {}),
  };
}

function parseDecision(body: unknown): Decision | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { allow, headers } = body as { allow?: unknown; headers?: unknown };
  if (typeof allow !== 'boolean') return undefined;
  const out: Record<string, string> = {};
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null) return undefined;
    for (const [name, value] of Object.entries(headers)) {
      // Only well-formed headers get through; anything else makes the answer unusable.
      if (!HEADER_NAME.test(name) || typeof value !== 'string' || !HEADER_VALUE.test(value)) {
        return undefined;
      }
      out[name] = value;
    }
  }
  return { allow, headers: out };
}

/**
 * Asks a route's authorizer, with a decision cache per route (as API Gateway caches authorizer
 * results): keyed by caller, method, client IP and the forwarded headers' values, for the route's
 * TTL, allow and deny alike. Concurrent identical questions share one call. The call goes through
 * the service's downstream pipeline: its timeout (`DOWNSTREAM_<NAME>_TIMEOUT_MS`, within the
 * request's deadline), breaker and pool.
 */
@Injectable()
export class RouteAuthorizer {
  private readonly logger = new Logger('RouteAuthorizer');
  private readonly caches = new Map<string, LRUCache<string, Decision>>();
  private readonly pending = new Map<string, Promise<Decision>>();

  constructor(private readonly downstream: DownstreamClient) {}

  /** Resolves with the headers to add, or throws {@link AccessDeniedError} / {@link AuthorizerUnavailableError}. */
  async authorize(
    route: CompiledRoute,
    authorizer: CompiledAuthorizer,
    request: FastifyRequest,
    path: string,
  ): Promise<Readonly<Record<string, string>>> {
    const name = route.settings.name;
    const principal = request.bffContext.principal;
    if (principal === undefined) {
      // Unreachable: a route with `authorize` requires auth (checked at boot).
      throw new AccessDeniedError('The request has no verified caller');
    }
    const chosen: Record<string, string> = {};
    for (const h of authorizer.headers) {
      const v = request.headers[h];
      if (v !== undefined) chosen[h] = Array.isArray(v) ? v.join(', ') : v;
    }
    const key = JSON.stringify([
      principal.kind,
      principal.subject,
      request.method,
      request.ip,
      chosen,
    ]);
    const metrics = routePolicyMetrics();
    const cache = authorizer.cacheTtlMs > 0 ? this.cacheOf(name, authorizer) : undefined;
    let decision = cache?.get(key);
    let source = 'cache';
    if (decision === undefined) {
      source = 'authorizer';
      const pendingKey = `${name}\u0000${key}`;
      let call = this.pending.get(pendingKey);
      if (call === undefined) {
        call = this.ask(authorizer, {
          route: name,
          method: request.method,
          path,
          ip: request.ip,
          principal: principalView(principal),
          headers: chosen,
        }).finally(() => this.pending.delete(pendingKey));
        this.pending.set(pendingKey, call);
      }
      try {
        decision = await call;
      } catch (error) {
        metrics.authorizerDecisions.labels(name, 'error', 'authorizer').inc();
        this.logger.warn(
          `route ${name}: authorizer ${authorizer.service} failed (${(error as Error).message}); failing ${authorizer.failOpen ? 'open' : 'closed'}`,
        );
        if (authorizer.failOpen) return {};
        throw new AuthorizerUnavailableError(
          'The authorizer of this route is unavailable',
          authorizer.service,
          { cause: error },
        );
      }
      cache?.set(key, decision);
    }
    metrics.authorizerDecisions.labels(name, decision.allow ? 'allow' : 'deny', source).inc();
    if (!decision.allow) throw new AccessDeniedError('Access denied by the route authorizer');
    return decision.headers;
  }

  private async ask(authorizer: CompiledAuthorizer, question: object): Promise<Decision> {
    const res = await this.downstream.request<unknown>(authorizer.service, {
      method: 'POST',
      path: authorizer.path,
      body: question,
    });
    const decision = res.status === 200 ? parseDecision(res.body) : undefined;
    if (decision === undefined) {
      throw new Error(`unusable answer (status ${res.status})`);
    }
    return decision;
  }

  /** The decision cache's clock, in ms (a hook for tests). */
  protected now(): number {
    return performance.now();
  }

  private cacheOf(route: string, authorizer: CompiledAuthorizer): LRUCache<string, Decision> {
    let cache = this.caches.get(route);
    if (cache === undefined) {
      cache = new LRUCache<string, Decision>({
        max: CACHE_ENTRIES,
        ttl: authorizer.cacheTtlMs,
        perf: { now: () => this.now() },
        // No cached clock reading between checks: an expired decision is never served.
        ttlResolution: 0,
      });
      this.caches.set(route, cache);
    }
    return cache;
  }
}
