import type { CompiledRoute } from './route-table.types';
import { resolveUpstreamPath } from './proxy-path';
import { InvalidPathError } from './routing.errors';

const route = (rewrite = ''): CompiledRoute => ({
  settings: { name: 'catalog', auth: 'public' },
  prefix: '/api/v1/catalog',
  rewrite,
  service: 'catalog',
  methods: new Set(['GET']),
  allow: 'GET',
  canaryPercent: 0,
  cache: undefined,
  relayErrors: false,
  bounds: { responseTimeoutMs: 60_000, maxResponseBytes: 1_000_000, streaming: false },
  maxBodyBytes: 1024,
});

describe('resolveUpstreamPath', () => {
  it('strips, rewrites or keeps the prefix and passes the raw query on', () => {
    expect(resolveUpstreamPath('/api/v1/catalog/products/prd_0001?a=1&b=%20', route())).toBe(
      '/products/prd_0001?a=1&b=%20',
    );
    expect(resolveUpstreamPath('/api/v1/catalog', route())).toBe('/');
    expect(resolveUpstreamPath('/api/v1/catalog?x=1', route())).toBe('/?x=1');
    expect(resolveUpstreamPath('/api/v1/catalog/products', route('/v2'))).toBe('/v2/products');
    expect(resolveUpstreamPath('/api/v1/catalog/p', { ...route(), rewrite: undefined })).toBe(
      '/api/v1/catalog/p',
    );
    // Ordinary encodings and dots inside names are fine.
    expect(resolveUpstreamPath('/api/v1/catalog/a%20b/file.v1.json', route())).toBe(
      '/a%20b/file.v1.json',
    );
  });

  it.each([
    'http://evil.example/',
    'http://127.0.0.1/api/v1/catalog/x',
    '//evil.example/x',
    '/api/v1/catalog/../users/usr_0001',
    '/api/v1/catalog/..',
    '/api/v1/catalog/./x',
    '/api/v1/catalog/%2e%2e/users',
    '/api/v1/catalog/%2E%2e/users',
    '/api/v1/catalog/.%2e/users',
    '/api/v1/catalog/%2e/x',
    '/api/v1/catalog/a%2fb',
    '/api/v1/catalog/a%2F..%2Fusers',
    '/api/v1/catalog/a%5cb',
    '/api/v1/catalog/a%252e%252e',
    '/api/v1/catalog/a\\..\\users',
    '/api/v1/catalog//evil.example',
    '/api/v1/catalog/a%00b',
    '/api/v1/catalog/a\u0000b',
    '/api/v1/catalog/a\tb',
    '/api/v1/catalog/%zz',
    '/api/v1/catalog/x?q=%00',
    '/api/v1/catalogue/x',
    '/api/v1/other',
    // The path rule: no ";" is ever forwarded (Tomcat-style servers read "..;" as "..").
    '/api/v1/catalog/..;/users',
    '/api/v1/catalog/%2e%2e;/users',
    '/api/v1/catalog/..%3b/users',
    '/api/v1/catalog/x;jsessionid=1',
    '/api/v1/catalog/x%3Bv=1',
  ])('refuses %j', (url) => {
    expect(() => resolveUpstreamPath(url, route())).toThrow(InvalidPathError);
  });
});
