import type { AuthModuleOptions } from '@app/auth';
import type { BffAppName, BffConfig, SessionConfig } from '@app/config';

/**
 * Options of {@link BffPlatformModule}: the app and its config, plus only what differs between
 * BFFs. Everything else (module set, order, global guards and interceptors) is the platform's.
 */
export interface BffPlatformOptions {
  /**
   * Which BFF: its logs and metrics label, cache keys, token audience (`config.auth.audiences`),
   * routes file (`config.routing.routesFiles`) and rate-limit namespace (the name without `-bff`).
   */
  app: BffAppName;
  config: BffConfig;
  /**
   * SPA cookie sessions: the session's token becomes the bearer token. `true` takes
   * `config.session` (web-bff); admin-bff passes `config.adminSession`. Default off.
   */
  session?: boolean | SessionConfig;
  /** Roles required by default and the audit trail (admin-bff); the audience comes from config. */
  auth?: Pick<AuthModuleOptions, 'defaultRoles' | 'audit'>;
  /** Serve `POST /ops/cache/purge` (admin-bff). Default off. */
  cachePurgeEndpoint?: boolean;
  /** Serve the live feed, `GET /events` (SSE) and `/events/ws` (admin-bff). Default off. */
  feed?: boolean;
}
