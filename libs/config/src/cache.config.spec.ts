import { ConfigValidationError, loadConfig } from './config.loader';

describe('cache config', () => {
  it('works without Redis by default', () => {
    const { cache } = loadConfig({});
    expect(cache).toMatchObject({
      enabled: true,
      redisUrl: undefined,
      keyPrefix: 'bff:cache:',
      memoryMaxEntries: 10_000,
      redisTimeoutMs: 50,
      downstream: true,
      downstreamDefaultTtlSeconds: 0,
    });
  });

  it('uses REDIS_URL as level 2 unless CACHE_REDIS=false', () => {
    const url = 'redis://127.0.0.1:6390';
    expect(loadConfig({ REDIS_URL: url }).cache.redisUrl).toBe(url);
    expect(loadConfig({ REDIS_URL: url, CACHE_REDIS: 'false' }).cache.redisUrl).toBeUndefined();
  });

  it.each([
    ['CACHE_KEY_PREFIX', 'has space', /CACHE_KEY_PREFIX must be/],
    ['CACHE_MEMORY_MAX_ENTRIES', '0', /CACHE_MEMORY_MAX_ENTRIES must be an integer/],
    ['CACHE_REDIS_TIMEOUT_MS', 'fast', /CACHE_REDIS_TIMEOUT_MS/],
    ['CACHE_ENABLED', 'maybe', /CACHE_ENABLED must be true or false/],
    ['CACHE_DOWNSTREAM_DEFAULT_TTL_S', '-1', /CACHE_DOWNSTREAM_DEFAULT_TTL_S/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
