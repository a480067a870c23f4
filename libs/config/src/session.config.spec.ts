import { ConfigValidationError, loadConfig } from './config.loader';

describe('session and sandbox IdP config', () => {
  it('works with no variables: sandbox IdP issuer, memory store, non-secure cookie on http', () => {
    const { session, sandbox } = loadConfig({});
    expect(sandbox.idp).toEqual({
      port: 4006,
      issuer: 'http://127.0.0.1:4006',
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 86_400,
    });
    expect(session).toMatchObject({
      enabled: true,
      issuer: 'http://127.0.0.1:4006',
      clientId: 'web-bff',
      redirectUri: 'http://127.0.0.1:3001/auth/callback',
      postLogoutRedirectUri: 'http://127.0.0.1:3001/',
      defaultReturnUrl: '/',
      cookieSecure: false,
      cookieName: 'bff-session',
      cookieSameSite: 'lax',
      store: 'memory',
      spaOrigins: [],
    });
  });

  it('uses __Host- cookies over https, Redis when REDIS_URL is set, and the SPA as home', () => {
    const { session } = loadConfig({
      SESSION_REDIRECT_URI: 'https://bff.example.com/auth/callback',
      REDIS_URL: 'redis://127.0.0.1:6379',
      WEB_SPA_ORIGINS: 'https://app.example.com, https://admin.example.com',
      SANDBOX_PORT: '5000',
    });
    expect(session).toMatchObject({
      cookieSecure: true,
      cookieName: '__Host-bff-session',
      loginCookieName: '__Host-bff-login',
      store: 'redis',
      spaOrigins: ['https://app.example.com', 'https://admin.example.com'],
      defaultReturnUrl: 'https://app.example.com/',
      postLogoutRedirectUri: 'https://app.example.com/',
      issuer: 'http://127.0.0.1:5006',
    });
  });

  it('gives admin-bff its own client, callback, cookies and scopes, sharing the rest', () => {
    const { adminSession, session } = loadConfig({
      ADMIN_SPA_ORIGINS: 'https://admin.example.com',
      ADMIN_SESSION_REDIRECT_URI: 'https://admin-bff.example.com/auth/callback',
      SESSION_IDP_TIMEOUT_MS: '2000',
    });
    expect(adminSession).toMatchObject({
      enabled: true,
      clientId: 'admin-bff',
      clientSecret: 'admin-bff-dev-secret',
      redirectUri: 'https://admin-bff.example.com/auth/callback',
      spaOrigins: ['https://admin.example.com'],
      defaultReturnUrl: 'https://admin.example.com/',
      cookieSecure: true,
      cookieName: '__Host-bff-admin-session',
      loginCookieName: '__Host-bff-admin-login',
      storePrefix: 'bff:admin-session:',
      idpTimeoutMs: 2000,
      issuer: session.issuer,
    });
    expect(adminSession.scopes.split(' ')).toEqual(
      expect.arrayContaining(['openid', 'orders:write', 'audit:read']),
    );
    expect(session).toMatchObject({ spaOrigins: [], cookieName: 'bff-session' });
    expect(loadConfig({}).adminSession).toMatchObject({
      redirectUri: 'http://127.0.0.1:3003/auth/callback',
      cookieName: 'bff-admin-session',
    });
  });

  it.each([
    ['ADMIN_SPA_ORIGINS', 'http://admin.example.com/panel', /ADMIN_SPA_ORIGINS must list origins/],
    ['ADMIN_SESSION_SCOPES', 'orders:read', /ADMIN_SESSION_SCOPES must include openid/],
    ['ADMIN_SESSION_TTL_SECONDS', '5', /ADMIN_SESSION_TTL_SECONDS must be an integer/],
    ['SESSION_STORE', 'redis', /SESSION_STORE=redis needs REDIS_URL/],
    ['SESSION_COOKIE_SAMESITE', 'none', /SESSION_COOKIE_SAMESITE must be one of lax, strict/],
    ['SESSION_COOKIE_SECURE', 'maybe', /SESSION_COOKIE_SECURE must be true or false/],
    ['SESSION_ISSUER', 'ftp://idp', /SESSION_ISSUER must be/],
    ['SESSION_SCOPES', 'profile email', /SESSION_SCOPES must include openid/],
    ['WEB_SPA_ORIGINS', 'http://app.example.com/path', /WEB_SPA_ORIGINS must list origins/],
    ['SESSION_TTL_SECONDS', '5', /SESSION_TTL_SECONDS must be an integer/],
    ['SANDBOX_IDP_ACCESS_TOKEN_TTL_SECONDS', '0', /SANDBOX_IDP_ACCESS_TOKEN_TTL_SECONDS/],
    ['SESSION_RESOURCE', 'not a uri', /SESSION_RESOURCE must be an absolute URI/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
