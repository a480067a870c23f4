import { ConfigValidationError, loadConfig } from './config.loader';

describe('routing config', () => {
  it('has defaults that work with nothing set', () => {
    const { routing } = loadConfig({});
    expect(routing.routesFiles['web-bff']).toMatch(/apps\/web-bff\/routes\.json$/);
    expect(routing.upstreams.catalog).toEqual({
      strategy: 'round-robin',
      ejectAfterFailures: 5,
      ejectMs: 10_000,
      canaryUrls: [],
    });
    expect(routing.mobileMinAppVersion).toBe('1.0.0');
    expect(routing.cursorSecret.length).toBeGreaterThanOrEqual(32);
    expect(routing.docsEnabled).toBe(true);
  });

  it('reads overrides', () => {
    const { routing } = loadConfig({
      WEB_BFF_ROUTES_FILE: '/etc/bff/web-routes.json',
      MOBILE_BFF_ROUTES_FILE: 'none',
      DOWNSTREAM_CATALOG_BALANCER: 'least-pending',
      DOWNSTREAM_CATALOG_EJECT_AFTER: '0',
      DOWNSTREAM_CATALOG_EJECT_MS: '500',
      DOWNSTREAM_CATALOG_CANARY_URL: 'http://canary-a:80, http://canary-b:80',
      MOBILE_MIN_APP_VERSION: 'none',
      MOBILE_CURSOR_SECRET: 'a-long-enough-cursor-secret',
      BFF_DOCS_ENABLED: 'false',
    });
    expect(routing.routesFiles).toMatchObject({
      'web-bff': '/etc/bff/web-routes.json',
      'mobile-bff': undefined,
    });
    expect(routing.upstreams.catalog).toEqual({
      strategy: 'least-pending',
      ejectAfterFailures: 0,
      ejectMs: 500,
      canaryUrls: ['http://canary-a', 'http://canary-b'],
    });
    expect(routing.mobileMinAppVersion).toBeUndefined();
    expect(routing.cursorSecret).toBe('a-long-enough-cursor-secret');
    expect(routing.docsEnabled).toBe(false);
  });

  it.each([
    ['DOWNSTREAM_USERS_BALANCER', 'random', /DOWNSTREAM_USERS_BALANCER must be one of/],
    ['DOWNSTREAM_USERS_EJECT_MS', '5', /DOWNSTREAM_USERS_EJECT_MS must be an integer between 100/],
    ['DOWNSTREAM_USERS_CANARY_URL', 'ftp://x', /DOWNSTREAM_USERS_CANARY_URL must be/],
    ['MOBILE_MIN_APP_VERSION', 'v2', /MOBILE_MIN_APP_VERSION must be a version like 2.3.0/],
    ['MOBILE_CURSOR_SECRET', 'short', /MOBILE_CURSOR_SECRET must be at least 16 characters/],
    ['BFF_DOCS_ENABLED', 'maybe', /BFF_DOCS_ENABLED must be true or false/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
