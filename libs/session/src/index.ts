export { SessionModule, SESSION_STORE, SESSION_CONFIG } from './session.module';
export type { SessionModuleOptions } from './session.module';
export { SessionService } from './session.service';
export { OidcClient } from './oidc.client';
export type { OidcMetadata } from './oidc.client';
export { MemorySessionStore } from './session.store';
export type { SessionStore, LockRelease } from './session.store';
export { RedisSessionStore } from './redis-session.store';
export { installSession, spaCorsOptions, endRequestSession, SESSION_ROUTES } from './session.http';
export {
  CsrfHeaderRequiredError,
  SessionRequiredError,
  LoginFailedError,
  SessionBackendUnavailableError,
} from './session.errors';
export type { SessionData, PendingLogin, TokenSet } from './session.types';
