import { ConfigValidationError, loadConfig } from './config.loader';

describe('auth config', () => {
  it('defaults: the sandbox IdP (SANDBOX_PORT + 6), one audience per BFF, no internal secret', () => {
    const { auth } = loadConfig({});
    expect(auth.oidcIssuers).toEqual([
      { url: 'http://127.0.0.1:4006', algorithms: ['RS256', 'ES256'] },
    ]);
    expect(auth.audiences).toEqual({
      'web-bff': 'web-bff',
      'mobile-bff': 'mobile-bff',
      'admin-bff': 'admin-bff',
    });
    expect(auth.internal).toBeUndefined();
    expect(auth.downstreamToken).toBeUndefined();
    expect(auth).toMatchObject({
      clockLeewaySeconds: 10,
      maxTokenBytes: 8192,
      jwksCooldownMs: 30_000,
    });
    expect(auth.apiKeys).toEqual({ store: 'file', file: './.data/api-keys.json', cacheMs: 60_000 });
    expect(auth.audit).toEqual({ path: './.data/audit.log', redisStream: undefined });
    expect(auth.tokenCache).toEqual({ maxEntries: 10_000, ttlMs: 300_000 });
    expect(auth.revocation).toEqual({ store: 'memory', syncMs: 2_000, maxTtlSeconds: 86_400 });
    expect(
      loadConfig({ AUTH_TOKEN_CACHE_MAX: '0', AUTH_TOKEN_CACHE_TTL_MS: '60000' }).auth.tokenCache,
    ).toEqual({ maxEntries: 0, ttlMs: 60_000 });
    expect(loadConfig({ SANDBOX_PORT: '5000' }).auth.oidcIssuers[0].url).toBe(
      'http://127.0.0.1:5006',
    );
  });

  it('has no default issuer in production, and reads per-issuer algorithms', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).auth.oidcIssuers).toEqual([]);
    const { auth } = loadConfig({
      AUTH_OIDC_ISSUERS: 'https://idp.example.com/realms/a PS256 RS256, https://login.example.org/',
      AUTH_OIDC_ALGORITHMS: 'ES384',
      AUTH_INTERNAL_HS256_SECRET: 'x'.repeat(32),
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(auth.oidcIssuers).toEqual([
      { url: 'https://idp.example.com/realms/a', algorithms: ['PS256', 'RS256'] },
      // Kept byte for byte: `iss` is compared exactly.
      { url: 'https://login.example.org/', algorithms: ['ES384'] },
    ]);
    expect(auth.internal).toEqual({ secret: 'x'.repeat(32), issuer: 'bff-internal' });
    expect(auth.apiKeys.store).toBe('redis');
    expect(auth.revocation.store).toBe('redis');
    expect(loadConfig({ AUTH_OIDC_ISSUERS: 'none' }).auth.oidcIssuers).toEqual([]);
  });

  it.each([
    ['AUTH_INTERNAL_HS256_SECRET', 'short', /AUTH_INTERNAL_HS256_SECRET must be at least 32/],
    ['AUTH_DOWNSTREAM_TOKEN_SECRET', 'short', /AUTH_DOWNSTREAM_TOKEN_SECRET must be at least 32/],
    ['AUTH_OIDC_ISSUERS', 'ftp://idp', /AUTH_OIDC_ISSUERS must list http\(s\) issuer URLs/],
    ['AUTH_OIDC_ISSUERS', 'https://idp HS256', /AUTH_OIDC_ISSUERS must list algorithms/],
    ['AUTH_OIDC_ALGORITHMS', 'none', /AUTH_OIDC_ALGORITHMS must list algorithms/],
    ['AUTH_MAX_TOKEN_BYTES', '10', /AUTH_MAX_TOKEN_BYTES/],
    ['AUTH_CLOCK_LEEWAY_SECONDS', '-1', /AUTH_CLOCK_LEEWAY_SECONDS/],
    ['AUTH_TOKEN_CACHE_MAX', '-1', /AUTH_TOKEN_CACHE_MAX must be an integer/],
    ['AUTH_TOKEN_CACHE_TTL_MS', '5m', /AUTH_TOKEN_CACHE_TTL_MS must be an integer/],
    ['AUTH_API_KEYS_STORE', 'redis', /AUTH_API_KEYS_STORE=redis needs REDIS_URL/],
    ['AUTH_REVOCATION_STORE', 'redis', /AUTH_REVOCATION_STORE=redis needs REDIS_URL/],
    ['AUTH_REVOCATION_SYNC_MS', '50', /AUTH_REVOCATION_SYNC_MS must be an integer/],
    ['AUTH_REVOCATION_MAX_TTL_SECONDS', '1d', /AUTH_REVOCATION_MAX_TTL_SECONDS must be/],
    ['AUDIT_REDIS_STREAM', 'bff:audit', /AUDIT_REDIS_STREAM needs REDIS_URL/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
