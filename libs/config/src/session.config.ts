import type { EnvReader } from './env-reader';

/** Where server-side sessions live. */
export type SessionStoreKind = 'memory' | 'redis';

/**
 * Browser sessions of the web BFF (the BFF pattern for SPAs): OIDC authorization code flow with
 * PKCE against `issuer`, tokens kept server-side, an httpOnly cookie in the browser.
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
}

export interface SessionConfigContext {
  readonly webPort: number;
  readonly defaultIssuer: string;
  readonly redisUrl: string | undefined;
}

function singleUrl(r: EnvReader, name: string, fallback: string): string {
  const urls = r.urls(name, [fallback], ['http:', 'https:']);
  if (urls.length > 1) r.problems.push(`${name} must be a single URL`);
  return urls[0] ?? fallback;
}

/** Reads the `SESSION_*` variables and `WEB_SPA_ORIGINS`. */
export function readSessionConfig(r: EnvReader, ctx: SessionConfigContext): SessionConfig {
  const issuer = singleUrl(r, 'SESSION_ISSUER', ctx.defaultIssuer);
  const redirectUri = singleUrl(
    r,
    'SESSION_REDIRECT_URI',
    `http://127.0.0.1:${ctx.webPort}/auth/callback`,
  );
  const spaOrigins: string[] = [];
  for (const value of r.urls('WEB_SPA_ORIGINS', [], ['http:', 'https:'])) {
    const url = new URL(value);
    if (url.pathname !== '/') {
      r.problems.push(`WEB_SPA_ORIGINS must list origins without a path (got "${value}")`);
    } else {
      spaOrigins.push(url.origin);
    }
  }
  const defaultReturnUrl =
    r.raw('SESSION_DEFAULT_RETURN_URL') ?? (spaOrigins.length > 0 ? `${spaOrigins[0]}/` : '/');
  let absoluteReturn = new URL(redirectUri).origin + '/';
  try {
    absoluteReturn = new URL(defaultReturnUrl, redirectUri).href;
    if (defaultReturnUrl.startsWith('//')) throw new Error('protocol-relative');
  } catch {
    r.problems.push(
      `SESSION_DEFAULT_RETURN_URL must be a path or an absolute URL (got "${defaultReturnUrl}")`,
    );
  }
  const postLogoutRedirectUri = singleUrl(r, 'SESSION_POST_LOGOUT_REDIRECT_URI', absoluteReturn);
  const cookieSecure = r.bool('SESSION_COOKIE_SECURE', redirectUri.startsWith('https:'));
  const storeDefault: SessionStoreKind = ctx.redisUrl === undefined ? 'memory' : 'redis';
  const store = r.oneOf('SESSION_STORE', ['memory', 'redis'] as const, storeDefault);
  if (store === 'redis' && ctx.redisUrl === undefined) {
    r.problems.push('SESSION_STORE=redis needs REDIS_URL');
  }
  const scopes = r.raw('SESSION_SCOPES') ?? 'openid profile email offline_access';
  if (!scopes.split(/\s+/).includes('openid')) {
    r.problems.push(`SESSION_SCOPES must include openid (got "${scopes}")`);
  }
  const resource = r.raw('SESSION_RESOURCE');
  if (resource !== undefined && URL.parse(resource) === null) {
    r.problems.push(`SESSION_RESOURCE must be an absolute URI (got "${resource}")`);
  }
  return {
    enabled: r.bool('SESSION_ENABLED', true),
    issuer,
    clientId: r.raw('SESSION_CLIENT_ID') ?? 'web-bff',
    clientSecret: r.raw('SESSION_CLIENT_SECRET') ?? 'web-bff-dev-secret',
    redirectUri,
    postLogoutRedirectUri,
    scopes,
    resource,
    spaOrigins,
    defaultReturnUrl,
    cookieSecure,
    cookieSameSite: r.oneOf('SESSION_COOKIE_SAMESITE', ['lax', 'strict'] as const, 'lax'),
    cookieName: cookieSecure ? '__Host-bff-session' : 'bff-session',
    loginCookieName: cookieSecure ? '__Host-bff-login' : 'bff-login',
    ttlSeconds: r.int('SESSION_TTL_SECONDS', 28_800, 60, 2_592_000),
    loginTtlSeconds: r.int('SESSION_LOGIN_TTL_SECONDS', 300, 10, 3_600),
    refreshSkewSeconds: r.int('SESSION_REFRESH_SKEW_SECONDS', 30, 0, 3_600),
    store,
    memoryMaxEntries: r.int('SESSION_MEMORY_MAX', 10_000, 10, 10_000_000),
    idpTimeoutMs: r.int('SESSION_IDP_TIMEOUT_MS', 5_000, 100, 60_000),
  };
}
