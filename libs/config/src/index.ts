export { ConfigModule } from './config.module';
export type { ConfigModuleOptions, ConfigModuleAsyncOptions } from './config.module';
export { loadConfig, ConfigValidationError } from './config.loader';
export { BffConfig } from './config.types';
export type {
  BffAppName,
  DownstreamServiceConfig,
  DownstreamTransportKind,
  LogLevel,
} from './config.types';
export type { GrpcServiceConfig } from './grpc.config';
export type { ResilienceConfig, ServiceResilienceSettings } from './resilience.config';
export type {
  RateLimitConfig,
  RateLimitFailureMode,
  LimitedTier,
  TierLimits,
  TrustedProxyHeader,
} from './rate-limit.config';
export type { CacheConfig } from './cache.config';
export type { SessionConfig } from './session.config';
export type {
  AuthConfig,
  OidcIssuerConfig,
  OidcAlgorithm,
  ApiKeysConfig,
  RevocationConfig,
  AuditConfig,
  DownstreamTokenConfig,
} from './auth.config';
export type { UpstreamBalancingConfig, BalancerStrategy } from './routing.config';
export type { EdgeConfig, RequestLimitsConfig, HeaderPolicyConfig } from './edge.config';
export type { RedisConfig } from './redis.config';
export type { GraphqlConfig } from './graphql.config';
export type { EventsConfig } from './events.config';
