import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { type TestIssuer, startTestIssuer } from './support/auth';
import { type RunningApp, type Sandbox, json, startApp, startSandbox } from './support/stack';

describe('web-bff against the sandbox', () => {
  let sandbox: Sandbox;
  let web: RunningApp;
  let issuer: TestIssuer;

  beforeAll(async () => {
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    // Response caching would answer repeated pages from memory, and the catalog failures injected
    // here (with retries) can open its circuit for the tests that follow: both have their own
    // suites (cache.e2e-spec.ts, resilience.e2e-spec.ts).
    web = await startApp(createWebBff, sandbox, {
      BFF_DEADLINE_MS: '1000',
      CACHE_ENABLED: 'false',
      RESILIENCE_BREAKER_MIN_CALLS: '1000',
      ...issuer.env,
    });
  });

  afterAll(async () => {
    await web?.app.close();
    await sandbox?.close();
    await issuer?.close();
  });

  afterEach(() => {
    sandbox.faults.reset();
    sandbox.resetStats();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${web.url}${path}`, { headers });

  /** Bearer headers of the user who placed the order (orders are only shown to their owner). */
  const ownerOf = async (orderId: string): Promise<Record<string, string>> => {
    const order = await json(await fetch(`${sandbox.urls.orders}/orders/${orderId}`));
    sandbox.resetStats();
    return issuer.headers({ sub: order.userId, aud: 'web-bff' });
  };

  describe('product page', () => {
    it('aggregates product, availability, reviews and related products, shaped for the web', async () => {
      const res = await get('/products/prd_0001');
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.product).toMatchObject({
        id: 'prd_0001',
        name: expect.any(String),
        price: { currency: 'EUR' },
      });
      expect(body.product.images.length).toBeGreaterThan(0);
      // Internal catalog fields never reach the browser.
      expect(body.product.costPrice).toBeUndefined();
      expect(body.product.supplierId).toBeUndefined();
      expect(typeof body.availability.inStock).toBe('boolean');
      expect(body.reviews).toMatchObject({
        count: expect.any(Number),
        averageRating: expect.any(Number),
      });
      expect(body.related.length).toBeGreaterThan(0);
      expect(body.related[0]).toEqual({
        id: expect.any(String),
        name: expect.any(String),
        brand: expect.any(String),
        price: { amount: expect.any(Number), currency: 'EUR' },
        thumbnailUrl: expect.any(String),
      });
      expect(body.meta).toEqual({ partial: [] });
      expect(res.headers.get('x-partial-response')).toBeNull();
      expect(sandbox.hits('catalog')).toBe(2);
      expect(sandbox.hits('inventory')).toBe(1);
      expect(sandbox.hits('reviews')).toBe(1);
    });

    it('answers 200 without reviews, listed as partial, when the reviews service fails', async () => {
      sandbox.faults.set('reviews', { errorRate: 1 });
      const res = await get('/products/prd_0002');
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.reviews).toBeUndefined();
      expect(body.product.id).toBe('prd_0002');
      expect(body.meta.partial).toEqual(['reviews']);
      expect(res.headers.get('x-partial-response')).toBe('reviews');
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('treats a connection reset on an optional part as partial', async () => {
      sandbox.faults.set('inventory', { resetRate: 1 });
      const res = await get('/products/prd_0003');
      expect(res.status).toBe(200);
      expect((await json(res)).meta.partial).toEqual(['availability']);
    });

    it('answers 502 with a JSON error when the catalog answers 500', async () => {
      sandbox.faults.set('catalog', { errorRate: 1, errorStatus: 500 });
      const res = await get('/products/prd_0001', { 'x-request-id': 'req-502-test' });
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toContain('application/json');
      const body = await json(res);
      expect(body).toEqual({
        statusCode: 502,
        error: 'Bad Gateway',
        code: 'BAD_UPSTREAM_RESPONSE',
        message: 'Downstream catalog answered 500',
        requestId: 'req-502-test',
      });
    });

    it('answers 503 with a JSON error when the catalog is down', async () => {
      sandbox.faults.set('catalog', { outage: true });
      const res = await get('/products/prd_0001');
      expect(res.status).toBe(503);
      const body = await json(res);
      expect(body.code).toBe('DOWNSTREAM_UNAVAILABLE');
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|at .*\.js|stack/);
    });

    it('answers 504 within about the 1 s deadline when the catalog takes 3 s', async () => {
      sandbox.faults.set('catalog', { latencyMs: 3000 });
      const started = performance.now();
      const res = await get('/products/prd_0001');
      const elapsed = performance.now() - started;
      expect(res.status).toBe(504);
      expect((await json(res)).code).toBe('DEADLINE_EXCEEDED');
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(1150);
    });

    it('calls the downstreams in parallel: 100/200/300 ms parts complete in about 300 ms', async () => {
      sandbox.faults.set('inventory', { latencyMs: 100 });
      sandbox.faults.set('reviews', { latencyMs: 200 });
      sandbox.faults.set('catalog', { latencyMs: 300 });
      await get('/products/prd_0004'); // warm the connection pools
      const started = performance.now();
      const res = await get('/products/prd_0005');
      const elapsed = performance.now() - started;
      expect(res.status).toBe(200);
      expect((await json(res)).meta.partial).toEqual([]);
      expect(elapsed).toBeGreaterThanOrEqual(295);
      // Sequential calls would take 600 ms or more.
      expect(elapsed).toBeLessThan(420);
    });

    it('mirrors 404 for an unknown product and 400 for a malformed id', async () => {
      const missing = await get('/products/prd_9999');
      expect(missing.status).toBe(404);
      expect((await json(missing)).code).toBe('NOT_FOUND');
      const before = sandbox.hits('catalog');
      const bad = await get('/products/bad%20id%3B');
      expect(bad.status).toBe(400);
      expect(sandbox.hits('catalog')).toBe(before);
    });

    it('propagates the request id, a child traceparent and the remaining budget downstream', async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const res = await get('/products/prd_0006', {
        'x-request-id': 'trace-me-1',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('trace-me-1');
      const seen = sandbox.recorded('inventory').at(-1);
      expect(seen?.headers['x-request-id']).toBe('trace-me-1');
      expect(seen?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(seen?.headers.traceparent).not.toContain('00f067aa0ba902b7');
      const budget = Number(seen?.headers['x-request-timeout-ms']);
      expect(budget).toBeGreaterThan(900);
      expect(budget).toBeLessThanOrEqual(1000);
    });

    it('replaces an invalid request id with a generated one', async () => {
      const res = await get('/products/prd_0001', { 'x-request-id': 'bad id with spaces' });
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('order details', () => {
    it('aggregates the order, its customer and its products', async () => {
      const res = await get('/orders/ord_00001', await ownerOf('ord_00001'));
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body).toMatchObject({
        id: 'ord_00001',
        status: expect.any(String),
        total: { currency: 'EUR' },
      });
      expect(body.customer).toMatchObject({
        id: expect.stringMatching(/^usr_/),
        displayName: expect.any(String),
      });
      expect(body.items[0]).toMatchObject({
        productId: expect.any(String),
        name: expect.any(String),
        quantity: expect.any(Number),
      });
      expect(body.paymentRef).toBeUndefined();
      expect(body.fraudScore).toBeUndefined();
      expect(body.customer.riskScore).toBeUndefined();
      expect(body.meta.partial).toEqual([]);
      expect(sandbox.hits('orders')).toBe(1);
      expect(sandbox.hits('users')).toBe(1);
      expect(sandbox.hits('catalog')).toBe(1);
    });

    it('keeps the order when the users service is down, marking customer as partial', async () => {
      sandbox.faults.set('users', { outage: true });
      const res = await get('/orders/ord_00002', await ownerOf('ord_00002'));
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.customer).toBeUndefined();
      expect(body.meta.partial).toEqual(['customer']);
    });
  });

  describe('home', () => {
    it('shows featured products and the user summary', async () => {
      const res = await get('/home', issuer.headers({ sub: 'usr_0001' }));
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.featured.length).toBeGreaterThan(0);
      expect(body.categories.length).toBeGreaterThan(0);
      expect(body.user).toMatchObject({ id: 'usr_0001', displayName: expect.any(String) });
      expect(Array.isArray(body.user.recentOrders)).toBe(true);
      expect(body.user.internalNotes).toBeUndefined();
    });

    it('works anonymously and rejects the removed userId parameter with 400', async () => {
      const anonymous = await get('/home');
      expect(anonymous.status).toBe(200);
      expect((await json(anonymous)).user).toBeUndefined();
      const bad = await get('/home?userId=../../etc');
      expect(bad.status).toBe(400);
      expect((await json(bad)).code).toBe('BAD_REQUEST');
    });
  });

  it('answers liveness and a JSON 404 for unknown routes', async () => {
    expect((await get('/health/live')).status).toBe(200);
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect((await json(res)).statusCode).toBe(404);
  });
});
