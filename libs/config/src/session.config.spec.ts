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

  it.each([
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
