import { ConfigValidationError, loadConfig } from './config.loader';

describe('loadConfig', () => {
  it('has working defaults: three BFF ports and five sandbox downstreams', () => {
    const config = loadConfig({});
    expect(config.apps).toEqual({
      'web-bff': { port: 3001 },
      'mobile-bff': { port: 3002 },
      'admin-bff': { port: 3003 },
    });
    expect(Object.keys(config.downstreams)).toEqual([
      'users',
      'orders',
      'catalog',
      'inventory',
      'reviews',
    ]);
    expect(config.downstreams.catalog).toEqual({
      name: 'catalog',
      urls: ['http://127.0.0.1:4003'],
      timeoutMs: 5000,
      transport: 'undici',
      connections: 128,
    });
    expect(config.redisUrl).toBeUndefined();
  });

  it('reads overrides, several instances and the axios transport', () => {
    const config = loadConfig({
      WEB_BFF_PORT: '8080',
      DOWNSTREAM_CATALOG_URL: 'http://a:1/api/, https://b:2',
      DOWNSTREAM_CATALOG_TRANSPORT: 'axios',
      DOWNSTREAM_CATALOG_TIMEOUT_MS: '750',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.apps['web-bff'].port).toBe(8080);
    expect(config.downstreams.catalog).toMatchObject({
      urls: ['http://a:1/api', 'https://b:2'],
      transport: 'axios',
      timeoutMs: 750,
    });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('moves the sandbox defaults with SANDBOX_PORT and supports extra services', () => {
    const config = loadConfig({
      SANDBOX_PORT: '5000',
      DOWNSTREAM_SERVICES: 'users,payments',
      DOWNSTREAM_PAYMENTS_URL: 'http://payments.internal',
    });
    expect(config.downstreams.users.urls).toEqual(['http://127.0.0.1:5001']);
    expect(config.downstreams.payments.urls).toEqual(['http://payments.internal']);
  });

  it.each([
    ['WEB_BFF_PORT', 'abc', /WEB_BFF_PORT must be an integer/],
    ['WEB_BFF_PORT', '70000', /WEB_BFF_PORT must be an integer between 0 and 65535/],
    ['BFF_DEADLINE_MS', '-5', /BFF_DEADLINE_MS/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['DOWNSTREAM_USERS_URL', 'ftp://x', /DOWNSTREAM_USERS_URL must be/],
    ['DOWNSTREAM_USERS_URL', 'not a url', /DOWNSTREAM_USERS_URL must be/],
    [
      'DOWNSTREAM_ORDERS_TRANSPORT',
      'curl',
      /DOWNSTREAM_ORDERS_TRANSPORT must be one of undici, axios/,
    ],
    ['REDIS_URL', 'http://localhost', /REDIS_URL must be/],
    ['DOWNSTREAM_SERVICES', 'users,Bad Name', /invalid service name "Bad Name"/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('requires a URL for a service without a sandbox default', () => {
    expect(() => loadConfig({ DOWNSTREAM_SERVICES: 'payments' })).toThrow(
      /DOWNSTREAM_PAYMENTS_URL is required/,
    );
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ WEB_BFF_PORT: 'x', ADMIN_BFF_PORT: 'y' });
      throw new Error('expected a failure');
    } catch (error) {
      expect((error as ConfigValidationError).problems).toHaveLength(2);
    }
  });
});
