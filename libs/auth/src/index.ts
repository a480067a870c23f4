export { AuthModule } from './auth.module';
export type { AuthModuleOptions } from './auth.options';
export { BffAuthGuard, toAuthError } from './auth.guard';
export {
  Roles,
  Scopes,
  Authenticated,
  CurrentPrincipal,
  declaredAuthorization,
} from './auth.decorators';
export type { DeclaredAuthorization } from './auth.decorators';
export { Public } from '@app/core';
export {
  AuthError,
  MissingCredentialsError,
  InvalidCredentialsError,
  InvalidAuthRequestError,
  InsufficientScopeError,
  AuthProviderUnavailableError,
  AuditUnavailableError,
  NotOwnerError,
  TokenRevokedError,
} from './auth.errors';
export {
  RevocationStore,
  tokenKeyOf,
  REDIS_REVOCATIONS_HASH,
  REDIS_REVOCATIONS_CHANNEL,
} from './revocation.store';
export type {
  RevocationEntry,
  RevocationKind,
  RevocationResult,
  TokenFacts,
  TokenTarget,
} from './revocation.store';
export { assertOwnerOrPrivileged, userIdOf, PRIVILEGED_ROLES } from './auth.ownership';
export { JwksCache, IssuerKeys } from './jwks.cache';
export { VerifiedTokenCache } from './verified-token.cache';
export type { VerifiedTokenCacheOptions } from './verified-token.cache';
export type { JwksCacheOptions } from './jwks.cache';
export { decodeJwt, assertAccessToken, principalFromClaims } from './jwt.token';
export type { DecodedJwt, JoseHeader, JwtClaims } from './jwt.token';
export {
  FileApiKeyStore,
  RedisApiKeyStore,
  createApiKeyStore,
  generateApiKey,
  hashApiKey,
  newApiKeyRecord,
  API_KEY_FORMAT,
} from './api-key.store';
export type { ApiKeyRecord, ApiKeyStore, ApiKeyAdmin } from './api-key.store';
export { runApiKeyCli } from './api-key.cli';
export { AuditTrail, outcomeOf } from './audit.trail';
export type { AuditRecord } from './audit.trail';
