import { ConfigValidationError, loadConfig } from './config.loader';

describe('resilience config', () => {
  it('has defaults for every downstream, with no variable set', () => {
    const { resilience } = loadConfig({});
    expect(resilience.enabled).toBe(true);
    expect(Object.keys(resilience.services)).toEqual([
      'users',
      'orders',
      'catalog',
      'inventory',
      'reviews',
    ]);
    expect(resilience.services.catalog).toEqual(resilience.defaults);
    expect(resilience.defaults).toEqual({
      breaker: {
        failureRatio: 0.5,
        minCalls: 20,
        windowMs: 10_000,
        halfOpenAfterMs: 5_000,
        halfOpenProbes: 3,
      },
      retry: {
        maxAttempts: 3,
        baseDelayMs: 50,
        maxDelayMs: 1_000,
        minAttemptMs: 50,
        budgetRatio: 0.2,
        budgetMinPerSecond: 10,
        budgetWindowMs: 10_000,
      },
      bulkhead: { maxConcurrent: 256, queue: 64 },
    });
  });

  it('applies global values, then per-service overrides', () => {
    const { resilience } = loadConfig({
      RESILIENCE_BREAKER_MIN_CALLS: '5',
      RESILIENCE_RETRY_MAX_ATTEMPTS: '2',
      DOWNSTREAM_REVIEWS_BREAKER_MIN_CALLS: '3',
      DOWNSTREAM_REVIEWS_BULKHEAD_MAX_CONCURRENT: '4',
      DOWNSTREAM_REVIEWS_BULKHEAD_QUEUE: '0',
      DOWNSTREAM_REVIEWS_BREAKER_FAILURE_RATIO: '0.25',
      RESILIENCE_ENABLED: 'false',
    });
    expect(resilience.enabled).toBe(false);
    expect(resilience.services.users.breaker.minCalls).toBe(5);
    expect(resilience.services.reviews.breaker).toMatchObject({ minCalls: 3, failureRatio: 0.25 });
    expect(resilience.services.reviews.bulkhead).toEqual({ maxConcurrent: 4, queue: 0 });
    expect(resilience.services.reviews.retry.maxAttempts).toBe(2);
  });

  it('supports extra services', () => {
    const { resilience } = loadConfig({
      DOWNSTREAM_SERVICES: 'payments-api',
      DOWNSTREAM_PAYMENTS_API_URL: 'http://payments',
      DOWNSTREAM_PAYMENTS_API_RETRY_MAX_ATTEMPTS: '1',
    });
    expect(resilience.services['payments-api'].retry.maxAttempts).toBe(1);
  });

  it.each([
    ['RESILIENCE_BREAKER_FAILURE_RATIO', '0', /RESILIENCE_BREAKER_FAILURE_RATIO must be a number/],
    ['RESILIENCE_BREAKER_MIN_CALLS', 'many', /RESILIENCE_BREAKER_MIN_CALLS must be an integer/],
    ['RESILIENCE_BREAKER_HALF_OPEN_PROBES', '0', /RESILIENCE_BREAKER_HALF_OPEN_PROBES/],
    ['RESILIENCE_RETRY_MAX_ATTEMPTS', '11', /RESILIENCE_RETRY_MAX_ATTEMPTS/],
    [
      'RESILIENCE_RETRY_MAX_DELAY_MS',
      '10',
      /RESILIENCE_RETRY_MAX_DELAY_MS \(10\) must not be below/,
    ],
    ['RESILIENCE_BULKHEAD_MAX_CONCURRENT', '0', /RESILIENCE_BULKHEAD_MAX_CONCURRENT/],
    ['DOWNSTREAM_CATALOG_BULKHEAD_QUEUE', '-1', /DOWNSTREAM_CATALOG_BULKHEAD_QUEUE/],
    ['RESILIENCE_ENABLED', 'maybe', /RESILIENCE_ENABLED must be true or false/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
