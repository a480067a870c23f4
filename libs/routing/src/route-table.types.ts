import type { RouteSettings, Tier } from '@app/core';
import type { HttpMethod } from '@app/downstream';
import type { FreshnessBounds } from '@app/cache';
import type { CompiledPolicies } from './route-policy.compiler';

/**
 * One entry of a BFF's route table file (`apps/<app>/routes.json`), in the spirit of a Kong
 * service/route pair: requests under `prefix` are passed through to `service`.
 */
export interface RouteDefinition {
  /** Unique name, used in logs, metrics and by the other libs (`bffContext.route.name`). */
  name: string;
  /** Path prefix served by the route, e.g. `/api/v1/catalog` (matches the prefix and below it). */
  prefix: string;
  /** Downstream service from the registry (`DOWNSTREAM_SERVICES`). */
  service: string;
  /** Downstream path that replaces `prefix` (default `""`: the prefix is stripped). */
  rewrite?: string;
  /** Keep the full path instead of replacing the prefix (cannot be combined with `rewrite`). */
  preservePath?: boolean;
  /** Methods passed through (default GET, HEAD); others get 405. */
  methods?: HttpMethod[];
  /** `required` (default: never an open proxy by accident) or `public`. */
  auth?: 'public' | 'required';
  /** The caller needs at least one of these roles (implies `auth: required`). */
  roles?: string[];
  /** The caller needs all of these scopes (implies `auth: required`). */
  scopes?: string[];
  /** Rate limiting: a tier forced for this route and the cost of one request. */
  rateLimit?: { tier?: Tier; weight?: number };
  /**
   * Turns the shared HTTP cache (RFC 9111) on for GET/HEAD answers: the ceiling on any freshness,
   * the origin's included, in seconds (0 or absent: not cached). The origin's `s-maxage`,
   * `max-age`, `Expires` and `Age` decide below it.
   */
  cacheTtlSeconds?: number;
  /**
   * Freshness of a 200 that carries no freshness information at all (default: `cacheTtlSeconds`;
   * 0 = such answers are only heuristically fresh, from `Last-Modified`, or revalidated).
   */
  cacheDefaultTtlSeconds?: number;
  /**
   * Client request headers forwarded on cached GET/HEAD requests, each part of the cache key
   * (default `accept`, `accept-language`). No other client header reaches the origin there.
   */
  cacheKeyHeaders?: string[];
  /**
   * Client headers also forwarded on cached GET/HEAD requests but NOT keyed: only for headers the
   * origin never reflects into its answers (diagnostics, test harness ids). Identity and
   * request-rewriting headers are refused at boot.
   */
  cacheUnkeyedHeaders?: string[];
  /** Time to the downstream's response head, in ms (replaces the endpoint deadline). */
  timeoutMs?: number;
  /** Retries of idempotent calls (never more than the service's resilience policy allows). */
  retries?: number;
  /** Largest request body streamed up, in bytes (default `BFF_BODY_LIMIT_BYTES`). */
  maxBodyBytes?: number;
  /**
   * Total time for the whole answer, from the request's arrival, in ms (default
   * `BFF_PROXY_RESPONSE_TIMEOUT_MS`); past it the answer is cut off (the client sees it truncated).
   */
  responseTimeoutMs?: number;
  /** Largest answer passed through, in bytes (default `BFF_PROXY_MAX_RESPONSE_BYTES`). */
  maxResponseBytes?: number;
  /** SSE, downloads: no total time and no size cap (only the downstream's silences are bounded). */
  streaming?: boolean;
  /**
   * `typed` (default): a downstream 5xx becomes the BFF's JSON error (502/503/504), its body
   * dropped. `relay`: the downstream's own 5xx answer is passed on (first 64 KiB), for origins
   * whose error pages are meant for clients; breakers and retries still count it as a failure.
   */
  upstreamErrors?: 'typed' | 'relay';
  /** Share of the route's traffic sent to the service's canary instances, sticky per caller. */
  canary?: { weight: number };
  /**
   * JSON Schemas (draft 2020-12) for `body`, `query` and `path` (the segments below the prefix):
   * file names relative to the route table, or inline schemas. A failing request gets 400 with
   * its violations and never reaches the service.
   */
  validate?: { body?: string | object; query?: string | object; path?: string | object };
  /** Ordered operations on the request and the answer (see route-transform.ts and README). */
  transform?: { request?: object[]; response?: object[] };
  /** External authorizer asked before the service (see route-authorizer.ts and README). */
  authorize?: {
    service: string;
    path: string;
    headers?: string[];
    cacheTtlSeconds?: number;
    failureMode?: 'closed' | 'open';
  };
  /**
   * REST to gRPC: the route calls this RPC of `service` (which must use the grpc transport)
   * instead of passing the request through. Needs `path` instead of `prefix`; path parameters,
   * the query and the JSON body fill the request message, the answer is its proto3 JSON.
   */
  grpc?: { service: string; method: string };
  /** gRPC routes: the exact path, `{field}` segments bound to request fields (`/api/v1/stock/{product_id}`). */
  path?: string;
}

/** The file format: `{ "routes": [...] }`. */
export interface RouteTableFile {
  routes: RouteDefinition[];
}

/** A validated route, ready for the hot path (everything derived once at boot). */
export interface CompiledRoute {
  /** Published as `request.bffContext.route` for the auth, throttling, cache and resilience libs. */
  readonly settings: RouteSettings;
  readonly prefix: string;
  /** Replaces the prefix in the downstream path; undefined keeps the full path. */
  readonly rewrite: string | undefined;
  readonly service: string;
  readonly methods: ReadonlySet<string>;
  /** Value of the `Allow` header of a 405. */
  readonly allow: string;
  /** Canary share in percent (0 = no canary). */
  readonly canaryPercent: number;
  readonly maxBodyBytes: number;
  /** Pass the downstream's own 5xx answers on (`upstreamErrors: "relay"`). */
  readonly relayErrors: boolean;
  /** Bounds of the downstream's answer. */
  readonly bounds: ResponseBounds;
  /** The shared HTTP cache of GET/HEAD answers; undefined when the route is not cached. */
  readonly cache: CompiledRouteCache | undefined;
  /** validate / transform / authorize; undefined when the route has none (the plain proxy path). */
  readonly policies?: CompiledPolicies;
  /** REST-to-gRPC routes: the RPC and the Fastify path; undefined for pass-through routes. */
  readonly grpc?: CompiledGrpcRoute;
}

export interface CompiledGrpcRoute {
  /** `package.Service/Method`, checked against the service's contract at boot. */
  readonly rpc: string;
  /** The route's path in Fastify's syntax (`/api/v1/stock/:product_id`). */
  readonly fastifyPath: string;
}

export interface ResponseBounds {
  readonly responseTimeoutMs: number;
  readonly maxResponseBytes: number;
  /** Opted out of both bounds. */
  readonly streaming: boolean;
}

export interface CompiledRouteCache {
  readonly bounds: FreshnessBounds;
  /** Lower-case, sorted: forwarded and part of the key. */
  readonly keyHeaders: readonly string[];
  /** Lower-case: forwarded, not keyed (the operator vouches the origin never reflects them). */
  readonly unkeyedHeaders: readonly string[];
}
