import { ConfigValidationError, loadConfig } from './config.loader';

describe('rate-limit config', () => {
  it('works with no variables and no Redis: memory store, fail-open, default tiers', () => {
    const { rateLimit } = loadConfig({});
    expect(rateLimit).toMatchObject({
      enabled: true,
      store: 'memory',
      redisFailureMode: 'open',
      burstWindowSeconds: 1,
      sustainedWindowSeconds: 60,
      trustedProxies: [],
    });
    expect(rateLimit.tiers.anonymous).toEqual({ burst: 20, sustained: 300, dailyQuota: 10_000 });
  });

  it('uses Redis when REDIS_URL is set, unless RATE_LIMIT_STORE=memory', () => {
    expect(loadConfig({ REDIS_URL: 'redis://r:6379' }).rateLimit.store).toBe('redis');
    expect(
      loadConfig({ REDIS_URL: 'redis://r:6379', RATE_LIMIT_STORE: 'memory' }).rateLimit.store,
    ).toBe('memory');
  });

  it('reads per-tier limits, windows, failure mode and trusted proxies', () => {
    const { rateLimit } = loadConfig({
      RATE_LIMIT_PREMIUM_BURST: '500',
      RATE_LIMIT_PREMIUM_SUSTAINED: '0',
      RATE_LIMIT_PREMIUM_DAILY_QUOTA: '7',
      RATE_LIMIT_BURST_WINDOW_SECONDS: '2',
      RATE_LIMIT_REDIS_FAILURE_MODE: 'closed',
      TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.1, 2001:db8::/32',
    });
    expect(rateLimit.tiers.premium).toEqual({ burst: 500, sustained: 0, dailyQuota: 7 });
    expect(rateLimit.burstWindowSeconds).toBe(2);
    expect(rateLimit.redisFailureMode).toBe('closed');
    expect(rateLimit.trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.1', '2001:db8::/32']);
    expect(rateLimit.trustedProxyHeader).toBe('x-forwarded-for');
    expect(loadConfig({ TRUSTED_PROXY_HEADER: 'forwarded' }).rateLimit.trustedProxyHeader).toBe(
      'forwarded',
    );
  });

  it.each([
    ['RATE_LIMIT_STANDARD_BURST', '0', /RATE_LIMIT_STANDARD_BURST must be an integer/],
    ['RATE_LIMIT_ANONYMOUS_DAILY_QUOTA', 'many', /RATE_LIMIT_ANONYMOUS_DAILY_QUOTA/],
    ['RATE_LIMIT_REDIS_FAILURE_MODE', 'maybe', /RATE_LIMIT_REDIS_FAILURE_MODE must be one of/],
    ['RATE_LIMIT_STORE', 'redis', /RATE_LIMIT_STORE=redis requires REDIS_URL/],
    ['TRUSTED_PROXIES', '10.0.0.0/33', /TRUSTED_PROXIES must be/],
    ['TRUSTED_PROXIES', 'proxy.local', /TRUSTED_PROXIES must be/],
    ['TRUSTED_PROXY_HEADER', 'x-real-ip', /TRUSTED_PROXY_HEADER must be one of/],
    ['RATE_LIMIT_KEY_PREFIX', 'bad prefix', /RATE_LIMIT_KEY_PREFIX must be/],
    ['RATE_LIMIT_ENABLED', 'perhaps', /RATE_LIMIT_ENABLED must be true or false/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
