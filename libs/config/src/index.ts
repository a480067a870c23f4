export { ConfigModule, InjectConfig } from './config.module';
export type { ConfigModuleOptions, ConfigModuleAsyncOptions } from './config.module';
export { loadConfig, ConfigValidationError, DEFAULT_SERVICES } from './config.loader';
export type { EnvSource } from './env-reader';
export { BffConfig } from './config.types';
export type {
  BffAppName,
  BffAppConfig,
  DownstreamServiceConfig,
  DownstreamTransportKind,
  LogLevel,
} from './config.types';
export { EnvReader } from './env-reader';
export { readResilienceConfig } from './resilience.config';
export type {
  ResilienceConfig,
  ServiceResilienceSettings,
  BreakerSettings,
  RetrySettings,
  BulkheadSettings,
} from './resilience.config';
export { readRateLimitConfig } from './rate-limit.config';
export type {
  RateLimitConfig,
  RateLimitFailureMode,
  LimitedTier,
  TierLimits,
} from './rate-limit.config';
export { readSandboxIdpConfig } from './sandbox-idp.config';
export type { SandboxIdpConfig } from './sandbox-idp.config';
export { readCacheConfig } from './cache.config';
export type { CacheConfig } from './cache.config';
export { readSessionConfig } from './session.config';
export type { SessionConfig, SessionStoreKind, SessionConfigContext } from './session.config';
export { readAuthConfig, OIDC_ALGORITHMS } from './auth.config';
export type {
  AuthConfig,
  OidcIssuerConfig,
  OidcAlgorithm,
  InternalTokenConfig,
  ApiKeysConfig,
  TokenCacheConfig,
  RevocationConfig,
  AuditConfig,
  DownstreamTokenConfig,
} from './auth.config';
export { readRoutingConfig } from './routing.config';
export type { RoutingConfig, UpstreamBalancingConfig, BalancerStrategy } from './routing.config';
export { readObservabilityConfig, PRODUCTION_SHUTDOWN_DELAY_MS } from './observability.config';
export type { ObservabilityConfig } from './observability.config';
export { readEdgeConfig } from './edge.config';
export type {
  EdgeConfig,
  RequestLimitsConfig,
  HeaderPolicyConfig,
  PathRuleConfig,
} from './edge.config';
export { readRedisConfig } from './redis.config';
export type { RedisConfig } from './redis.config';
