import type { EnvReader } from './env-reader';

/** Where server-side sessions live. */
export type SessionStoreKind = 'memory' | 'redis';

/**
 * Browser sessions of an SPA's BFF (the BFF pattern): OIDC authorization code flow with PKCE
 * against `issuer`, tokens kept server-side, an httpOnly cookie in the browser. web-bff reads the
 * `SESSION_*` variables and `WEB_SPA_ORIGINS`; admin-bff its own `ADMIN_SESSION_*` variables and
 * `ADMIN_SPA_ORIGINS` (see {@link ADMIN_SESSION_VARIABLES}) and shares the rest with web-bff.
 * The comments below name web-bff's variables.
 */
export interface SessionConfig {
  /** `SESSION_ENABLED` (default true): `/auth/*` endpoints and cookie authentication on web-bff. */
  readonly enabled: boolean;
  /** OIDC issuer used for login: `SESSION_ISSUER`, default the sandbox IdP's issuer. */
  readonly issuer: string;
  /** Confidential client id of the web BFF at the issuer: `SESSION_CLIENT_ID`, default `web-bff`. */
  readonly clientId: string;
  /** Its client secret: `SESSION_CLIENT_SECRET`, default `web-bff-dev-secret` (dev only). */
  readonly clientSecret: string;
  /** Callback URL registered at the issuer: `SESSION_REDIRECT_URI`, default `http://127.0.0.1:<WEB_BFF_PORT>/auth/callback`. */
  readonly redirectUri: string;
  /** Where the IdP sends the browser after RP-initiated logout: `SESSION_POST_LOGOUT_REDIRECT_URI`, default the default return URL made absolute. */
  readonly postLogoutRedirectUri: string;
  /** Scopes requested at login: `SESSION_SCOPES`, default `openid profile email offline_access`. */
  readonly scopes: string;
  /** Optional RFC 8707 resource indicator sent at login and refresh: `SESSION_RESOURCE`. */
  readonly resource: string | undefined;
  /** SPA origins allowed to call web-bff with credentials (CORS): `WEB_SPA_ORIGINS`, comma list, default none. */
  readonly spaOrigins: readonly string[];
  /** Where the browser lands after login when no allowed `returnTo` is given: `SESSION_DEFAULT_RETURN_URL`, default the first SPA origin, else `/`. */
  readonly defaultReturnUrl: string;
  /** `Secure` cookie with the `__Host-` prefix: `SESSION_COOKIE_SECURE`, default true when the redirect URI is https. */
  readonly cookieSecure: boolean;
  /** `SameSite` attribute: `SESSION_COOKIE_SAMESITE` (`lax` or `strict`), default `lax`. */
  readonly cookieSameSite: 'lax' | 'strict';
  /** Session cookie name, derived: `__Host-bff-session` when secure, else `bff-session`. */
  readonly cookieName: string;
  /** Short-lived cookie naming the pending login, derived like {@link cookieName}. */
  readonly loginCookieName: string;
  /** Absolute session lifetime: `SESSION_TTL_SECONDS`, default 28800 (8 h). */
  readonly ttlSeconds: number;
  /** Lifetime of a pending login (state, nonce, PKCE verifier): `SESSION_LOGIN_TTL_SECONDS`, default 300. */
  readonly loginTtlSeconds: number;
  /** Refresh an access token this long before it expires (at most half its lifetime): `SESSION_REFRESH_SKEW_SECONDS`, default 30. */
  readonly refreshSkewSeconds: number;
  /** `SESSION_STORE` (`memory` or `redis`), default `redis` when `REDIS_URL` is set, else `memory`. */
  readonly store: SessionStoreKind;
  /** Upper bound of sessions kept by the memory store (oldest evicted): `SESSION_MEMORY_MAX`, default 10000. */
  readonly memoryMaxEntries: number;
  /** Timeout of each call to the IdP (discovery, token, JWKS): `SESSION_IDP_TIMEOUT_MS`, default 5000. */
  readonly idpTimeoutMs: number;
  /** Key prefix in the Redis store, derived (`bff:session:`, admin-bff `bff:admin-session:`). */
  readonly storePrefix: string;
}

/** What differs between the BFFs that have browser sessions: their own variables and defaults. */
export interface SessionVariables {
  /** Prefix of the app's own variables: `SESSION` gives `SESSION_CLIENT_ID`, `SESSION_TTL_SECONDS`... */
  readonly prefix: string;
  /** Variable listing the SPA origins allowed with credentials. */
  readonly originsVariable: string;
  /** Default client id and secret at the IdP. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Default scopes requested at login. */
  readonly scopes: string;
  /** Cookie base names (`__Host-` is prepended when secure) and the Redis key prefix. */
  readonly cookieName: string;
  readonly loginCookieName: string;
  readonly storePrefix: string;
}

/** web-bff: `SESSION_*`, `WEB_SPA_ORIGINS`. */
export const WEB_SESSION_VARIABLES: SessionVariables = {
  prefix: 'SESSION',
  originsVariable: 'WEB_SPA_ORIGINS',
  clientId: 'web-bff',
  clientSecret: 'web-bff-dev-secret',
  scopes: 'openid profile email offline_access',
  cookieName: 'bff-session',
  loginCookieName: 'bff-login',
  storePrefix: 'bff:session:',
};

/**
 * admin-bff: `ADMIN_SESSION_ENABLED`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_REDIRECT_URI`,
 * `_POST_LOGOUT_REDIRECT_URI`, `_DEFAULT_RETURN_URL`, `_SCOPES`, `_RESOURCE`, `_COOKIE_SECURE`,
 * `_TTL_SECONDS`, and `ADMIN_SPA_ORIGINS`. Its cookies have their own names: cookies are shared
 * by every port of a host, so web-bff and admin-bff on one host must not overwrite each other's.
 * The admin panel's token needs the admin API scopes (every admin route names one); roles still
 * apply on top.
 */
export const ADMIN_SESSION_VARIABLES: SessionVariables = {
  prefix: 'ADMIN_SESSION',
  originsVariable: 'ADMIN_SPA_ORIGINS',
  clientId: 'admin-bff',
  clientSecret: 'admin-bff-dev-secret',
  scopes:
    'openid profile email offline_access users:read orders:read orders:write ops:read cache:purge tokens:revoke audit:read',
  cookieName: 'bff-admin-session',
  loginCookieName: 'bff-admin-login',
  storePrefix: 'bff:admin-session:',
};

export interface SessionConfigContext {
  /** Port of the app, for the default redirect URI. */
  readonly webPort: number;
  readonly defaultIssuer: string;
  readonly redisUrl: string | undefined;
}

function singleUrl(r: EnvReader, name: string, fallback: string): string {
  const urls = r.urls(name, [fallback], ['http:', 'https:']);
  if (urls.length > 1) r.problems.push(`${name} must be a single URL`);
  return urls[0] ?? fallback;
}

/**
 * Reads an app's session variables (`SESSION_*` and `WEB_SPA_ORIGINS` for web-bff); the issuer,
 * store, timeouts, login lifetime, refresh skew and `SameSite` are `SESSION_*` for every app.
 */
export function readSessionConfig(
  r: EnvReader,
  ctx: SessionConfigContext,
  v: SessionVariables = WEB_SESSION_VARIABLES,
): SessionConfig {
  const own = (name: string): string => `${v.prefix}_${name}`;
  const issuer = singleUrl(r, 'SESSION_ISSUER', ctx.defaultIssuer);
  const redirectUri = singleUrl(
    r,
    own('REDIRECT_URI'),
    `http://127.0.0.1:${ctx.webPort}/auth/callback`,
  );
  const spaOrigins: string[] = [];
  for (const value of r.urls(v.originsVariable, [], ['http:', 'https:'])) {
    const url = new URL(value);
    if (url.pathname !== '/') {
      r.problems.push(`${v.originsVariable} must list origins without a path (got "${value}")`);
    } else {
      spaOrigins.push(url.origin);
    }
  }
  const defaultReturnUrl =
    r.raw(own('DEFAULT_RETURN_URL')) ?? (spaOrigins.length > 0 ? `${spaOrigins[0]}/` : '/');
  let absoluteReturn = new URL(redirectUri).origin + '/';
  try {
    absoluteReturn = new URL(defaultReturnUrl, redirectUri).href;
    if (defaultReturnUrl.startsWith('//')) throw new Error('protocol-relative');
  } catch {
    r.problems.push(
      `${own('DEFAULT_RETURN_URL')} must be a path or an absolute URL (got "${defaultReturnUrl}")`,
    );
  }
  const postLogoutRedirectUri = singleUrl(r, own('POST_LOGOUT_REDIRECT_URI'), absoluteReturn);
  const cookieSecure = r.bool(own('COOKIE_SECURE'), redirectUri.startsWith('https:'));
  const storeDefault: SessionStoreKind = ctx.redisUrl === undefined ? 'memory' : 'redis';
  const store = r.oneOf('SESSION_STORE', ['memory', 'redis'] as const, storeDefault);
  if (store === 'redis' && ctx.redisUrl === undefined) {
    r.problems.push('SESSION_STORE=redis needs REDIS_URL');
  }
  const scopes = r.raw(own('SCOPES')) ?? v.scopes;
  if (!scopes.split(/\s+/).includes('openid')) {
    r.problems.push(`${own('SCOPES')} must include openid (got "${scopes}")`);
  }
  const resource = r.raw(own('RESOURCE'));
  if (resource !== undefined && URL.parse(resource) === null) {
    r.problems.push(`${own('RESOURCE')} must be an absolute URI (got "${resource}")`);
  }
  return {
    enabled: r.bool(own('ENABLED'), true),
    issuer,
    clientId: r.raw(own('CLIENT_ID')) ?? v.clientId,
    clientSecret: r.raw(own('CLIENT_SECRET')) ?? v.clientSecret,
    redirectUri,
    postLogoutRedirectUri,
    scopes,
    resource,
    spaOrigins,
    defaultReturnUrl,
    cookieSecure,
    cookieSameSite: r.oneOf('SESSION_COOKIE_SAMESITE', ['lax', 'strict'] as const, 'lax'),
    cookieName: cookieSecure ? `__Host-${v.cookieName}` : v.cookieName,
    loginCookieName: cookieSecure ? `__Host-${v.loginCookieName}` : v.loginCookieName,
    ttlSeconds: r.int(own('TTL_SECONDS'), 28_800, 60, 2_592_000),
    loginTtlSeconds: r.int('SESSION_LOGIN_TTL_SECONDS', 300, 10, 3_600),
    refreshSkewSeconds: r.int('SESSION_REFRESH_SKEW_SECONDS', 30, 0, 3_600),
    store,
    memoryMaxEntries: r.int('SESSION_MEMORY_MAX', 10_000, 10, 10_000_000),
    idpTimeoutMs: r.int('SESSION_IDP_TIMEOUT_MS', 5_000, 100, 60_000),
    storePrefix: v.storePrefix,
  };
}
