import { createMobileBff } from '../apps/mobile-bff/src/mobile-bff.app';
import { type TestIssuer, startTestIssuer } from './support/auth';
import { type RunningApp, type Sandbox, json, startApp, startSandbox } from './support/stack';

describe('mobile-bff against the sandbox', () => {
  let sandbox: Sandbox;
  let mobile: RunningApp;
  let issuer: TestIssuer;

  beforeAll(async () => {
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    // Response caching would answer repeated pages from memory; it has its own cache.e2e-spec.ts.
    mobile = await startApp(createMobileBff, sandbox, { CACHE_ENABLED: 'false', ...issuer.env });
  });

  afterAll(async () => {
    await mobile?.app.close();
    await sandbox?.close();
    await issuer?.close();
  });

  afterEach(() => {
    sandbox.faults.reset();
    sandbox.resetStats();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${mobile.url}${path}`, { headers });

  it('v1 product is a flat compact card from three parallel calls', async () => {
    const res = await get('/v1/products/prd_0010');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(Object.keys(body).sort()).toEqual([
      'currency',
      'id',
      'inStock',
      'name',
      'price',
      'rating',
      'reviewCount',
      'thumb',
    ]);
    expect(body).toMatchObject({ id: 'prd_0010', price: expect.any(Number), currency: 'EUR' });
    expect(sandbox.hits('catalog')).toBe(1);
    expect(sandbox.hits('inventory')).toBe(1);
    expect(sandbox.hits('reviews')).toBe(1);
  });

  it('v2 product has a different, grouped shape with related products', async () => {
    const res = await get('/v2/products/prd_0010');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      id: 'prd_0010',
      title: expect.any(String),
      price: { amount: expect.any(Number), currency: 'EUR' },
      image: expect.any(String),
      stock: { inStock: expect.any(Boolean) },
    });
    expect(body.name).toBeUndefined();
    expect(body.related.length).toBeGreaterThan(0);
    expect(Object.keys(body.related[0]).sort()).toEqual(['id', 'price', 'thumb', 'title']);
  });

  it('compact payloads are much smaller than the downstream product', async () => {
    const mobileBytes = (await (await get('/v1/products/prd_0011')).text()).length;
    const rawBytes = (await (await fetch(`${sandbox.urls.catalog}/products/prd_0011`)).text())
      .length;
    expect(mobileBytes * 3).toBeLessThan(rawBytes);
  });

  it('marks a partial v1 payload and nulls unknown fields', async () => {
    sandbox.faults.set('inventory', { errorRate: 1 });
    const res = await get('/v1/products/prd_0012');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.inStock).toBeNull();
    expect(body.partial).toEqual(['availability']);
    expect(res.headers.get('x-partial-response')).toBe('availability');
  });

  it('an unsupported version is a 404 JSON error', async () => {
    const res = await get('/v3/products/prd_0010');
    expect(res.status).toBe(404);
    expect((await json(res)).code).toBe('NOT_FOUND');
  });

  it('v1 order and home are compact', async () => {
    const owner = await json(await fetch(`${sandbox.urls.orders}/orders/ord_00003`));
    const order = await json(
      await get('/v1/orders/ord_00003', issuer.headers({ sub: owner.userId, aud: 'mobile-bff' })),
    );
    expect(order).toMatchObject({
      id: 'ord_00003',
      status: expect.any(String),
      itemCount: expect.any(Number),
    });
    expect(order.shippingAddress).toBeUndefined();
    expect(order.items[0]).toEqual({
      name: expect.any(String),
      qty: expect.any(Number),
      thumb: expect.any(String),
    });
    const home = await json(
      await get('/v1/home', issuer.headers({ sub: 'usr_0002', aud: 'mobile-bff' })),
    );
    expect(home.tiles.length).toBeLessThanOrEqual(8);
    expect(home.greeting).toEqual(expect.any(String));
  });

  it('v1 order does not call inventory, so an inventory outage does not mark it partial', async () => {
    const owner = await json(await fetch(`${sandbox.urls.orders}/orders/ord_00004`));
    sandbox.faults.set('inventory', { errorRate: 1 });
    const res = await get(
      '/v1/orders/ord_00004',
      issuer.headers({ sub: owner.userId, aud: 'mobile-bff' }),
    );
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.partial).toBeUndefined();
    expect(res.headers.get('x-partial-response')).toBeNull();
    expect(body.items[0].name).toEqual(expect.any(String));
    expect(sandbox.hits('inventory')).toBe(0);
  });

  it('answers liveness without a version', async () => {
    expect((await get('/health/live')).status).toBe(200);
  });
});
