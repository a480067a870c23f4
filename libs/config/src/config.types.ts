import type { ResilienceConfig } from './resilience.config';
import type { RateLimitConfig } from './rate-limit.config';
import type { AuthConfig } from './auth.config';
import type { SandboxIdpConfig } from './sandbox-idp.config';
import type { SessionConfig } from './session.config';
import type { CacheConfig } from './cache.config';
import type { RoutingConfig } from './routing.config';
import type { ObservabilityConfig } from './observability.config';
import type { RedisConfig } from './redis.config';
import type { EdgeConfig } from './edge.config';
import type { GrpcServiceConfig } from './grpc.config';
/**
 * How a downstream service is reached. `undici` is the fast default; `axios` exists for teams that
 * rely on axios interceptors; `grpc` calls the RPCs of its `.proto` contract (@grpc/grpc-js).
 */
export type DownstreamTransportKind = 'undici' | 'axios' | 'grpc';
import type { GraphqlConfig } from './graphql.config';
import type { EventsConfig } from './events.config';

export type BffAppName = 'web-bff' | 'mobile-bff' | 'admin-bff';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** One entry of the downstream service registry. */
export interface DownstreamServiceConfig {
  /** Registry name, e.g. `catalog`. */
  readonly name: string;
  /** Base URLs of the service's instances (origin plus optional path prefix). */
  readonly urls: readonly string[];
  /** Upper bound for one call, whatever the endpoint budget leaves. */
  readonly timeoutMs: number;
  /** Transport used for this service. */
  readonly transport: DownstreamTransportKind;
  /** Keep-alive connections per instance (undici Pool size / axios maxSockets). */
  readonly connections: number;
  /** Contract, limits and keep-alive of a `grpc` transport; absent for the HTTP transports. */
  readonly grpc?: GrpcServiceConfig;
}

export interface BffAppConfig {
  readonly port: number;
}

/** Configuration of the whole BFF set, parsed and validated once at boot. */
export interface BffConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  /** Interface the BFFs bind to. */
  readonly host: string;
  readonly apps: Readonly<Record<BffAppName, BffAppConfig>>;
  /** Default time budget of an endpoint; `@Deadline(ms)` overrides it per route. */
  readonly deadlineMs: number;
  /** Kept back from each downstream call's share of the budget, so the BFF can still answer in time. */
  readonly deadlineMarginMs: number;
  /** Largest request body accepted, in bytes (413 above). */
  readonly bodyLimitBytes: number;
  /** Request limits, forwarded-header policy and path rule of every BFF (libs/core, libs/downstream). */
  readonly edge: EdgeConfig;
  readonly logLevel: LogLevel;
  /** Optional shared store; every lib falls back to memory when absent. */
  readonly redisUrl: string | undefined;
  /** The shared Redis and the settings of every client of it (`@app/redis`). */
  readonly redis: RedisConfig;
  readonly downstreams: Readonly<Record<string, DownstreamServiceConfig>>;
  /** `GRPC_PROTO_DIR`, absolute: the `.proto` contracts of gRPC downstreams (and of the sandbox's). */
  readonly grpcProtoDir: string;
  /** Where the development sandbox listens (control port; services use the next ports). */
  readonly sandbox: {
    readonly host: string;
    readonly port: number;
    /** The sandbox's dev identity provider. */
    readonly idp: SandboxIdpConfig;
  };
  /** Browser sessions of the web BFF (OIDC login, cookie, refresh). */
  readonly session: SessionConfig;
  /** Browser sessions of the admin BFF (`ADMIN_SESSION_*`, `ADMIN_SPA_ORIGINS`). */
  readonly adminSession: SessionConfig;
  /** Circuit breakers, retries and bulkheads per downstream (libs/resilience). */
  readonly resilience: ResilienceConfig;
  /** Tiered rate limits and quotas (libs/throttling). */
  readonly rateLimit: RateLimitConfig;
  /** Shared response cache: memory LRU and optional Redis level 2 (libs/cache). */
  readonly cache: CacheConfig;
  /** Bearer tokens, API keys, audit trail and downstream identity (libs/auth). */
  readonly auth: AuthConfig;
  /** Route tables, balancing and canaries, CORS origins, mobile shaping, docs (libs/routing). */
  readonly routing: RoutingConfig;
  /** Tracing, logs, metrics, health, graceful shutdown and workers (libs/observability, runBff). */
  readonly observability: ObservabilityConfig;
  /** The GraphQL facade of web-bff and mobile-bff: limits and developer tools (libs/graphql). */
  readonly graphql: GraphqlConfig;
  /** Live admin feed, event fan-out and fleet-wide operations (libs/events). */
  readonly events: EventsConfig;
}

/** Injection token for {@link BffConfig}. */
export const BffConfig = Symbol('BffConfig');
