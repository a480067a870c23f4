/** A confidential web client (a BFF doing the authorization code flow) registered at the IdP. */
export interface IdpWebClient {
  clientId: string;
  clientSecret: string;
  /** Exact callback URLs (`redirect_uri` must match one). */
  redirectUris: string[];
  /** Where RP-initiated logout may send the browser back to. */
  postLogoutRedirectUris?: string[];
  /** OIDC Back-Channel Logout: where the IdP posts logout tokens (with `sid`) when a session ends. */
  backchannelLogoutUri?: string;
}

export interface SandboxIdpOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port; 0 (default) picks an ephemeral one. */
  port?: number;
  /** Issuer identifier; default `http://<host>:<bound port>`. */
  issuer?: string;
  /** Access token lifetime in seconds; default 300. Short values let tests exercise refresh. */
  accessTokenTtlSeconds?: number;
  /** Refresh token lifetime in seconds; default 86400. */
  refreshTokenTtlSeconds?: number;
  /** Web clients (authorization code + PKCE + refresh); default the dev web-bff client on port 3001. */
  webClients?: IdpWebClient[];
  /** Log IdP server errors to stderr; default false. */
  logger?: boolean;
}

/** The running dev identity provider. */
export interface SandboxIdp {
  /** Issuer identifier; discovery at `${issuer}/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** Base URL it listens on (same as the issuer unless one was configured). */
  readonly url: string;
  /** Successful token endpoint grants by `grant_type` since start or the last `resetStats()`. */
  grants(grantType: string): number;
  resetStats(): void;
  close(): Promise<void>;
}

/** Audiences (one per BFF) and the RFC 8707 resource indicator that selects each. */
export const BFF_AUDIENCES = ['web-bff', 'mobile-bff', 'admin-bff'] as const;
export type BffAudience = (typeof BFF_AUDIENCES)[number];

export const resourceFor = (audience: BffAudience): string => `urn:bff:${audience}`;

/**
 * Scopes an access token for a BFF may carry (beyond the OIDC ones). The admin BFF requires one on
 * each route (README, "Scopes"): `users:read`, `orders:read`, `orders:write` (order status
 * changes), `ops:read` (`/ops/circuits`), `cache:purge` (`/ops/cache/purge`) and `tokens:revoke`
 * (`/revocations`), `audit:read` (`GET /audit`). Dev tokens carry
 * all of them unless `scope` names fewer; roles still apply on top (support cannot write orders).
 */
export const API_SCOPES = [
  'catalog:read',
  'orders:read',
  'orders:write',
  'users:read',
  'ops:read',
  'cache:purge',
  'tokens:revoke',
  'audit:read',
  'profile:read',
  'profile:write',
] as const;

/** Client of `client_credentials` tokens and of `/dev/token` mints. */
export const SANDBOX_CLI_CLIENT = { clientId: 'sandbox-cli', clientSecret: 'sandbox-cli-secret' };

/** The dev web-bff client as registered when no other is given (matches the session defaults). */
export const DEFAULT_WEB_CLIENT: IdpWebClient = {
  clientId: 'web-bff',
  clientSecret: 'web-bff-dev-secret',
  redirectUris: ['http://127.0.0.1:3001/auth/callback'],
  postLogoutRedirectUris: ['http://127.0.0.1:3001/'],
  backchannelLogoutUri: 'http://127.0.0.1:3001/auth/backchannel-logout',
};
