import { createMobileBff } from '../apps/mobile-bff/src/mobile-bff.app';
import { type TestIssuer, internalHeaders, startTestIssuer } from './support/auth';
import {
  type RunningApp,
  type Sandbox,
  busiestUser,
  json,
  startApp,
  startSandbox,
} from './support/stack';

/** Mobile v2 orders (list and detail) and home: versioning, sparse fields, deprecation of v1. */
describe('mobile-bff v2 orders and home', () => {
  let sandbox: Sandbox;
  let mobile: RunningApp;
  let issuer: TestIssuer;
  let busyUser: string;
  let busyOrders: { id: string; userId: string }[];

  beforeAll(async () => {
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    mobile = await startApp(createMobileBff, sandbox, {
      CACHE_ENABLED: 'false',
      RATE_LIMIT_ENABLED: 'false',
      ...issuer.env,
    });
    ({ userId: busyUser, orders: busyOrders } = await busiestUser(sandbox));
    sandbox.resetStats();
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
  const as = (sub: string) => issuer.headers({ sub, aud: 'mobile-bff' });

  it('/v2/orders walks the user’s own orders with cursors, one catalog call per page', async () => {
    expect(busyOrders.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      sandbox.resetStats();
      const res: Response = await get(
        `/v2/orders?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        as(busyUser),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('deprecation')).toBeNull();
      const page = await json(res);
      expect(page.partial).toBeUndefined();
      for (const o of page.items) {
        expect(o).toEqual({
          id: expect.any(String),
          status: expect.any(String),
          placedAt: expect.any(String),
          total: { amount: expect.any(Number), currency: 'EUR' },
          itemCount: expect.any(Number),
          thumbs: expect.arrayContaining([expect.any(String)]),
        });
      }
      expect(sandbox.hits('orders')).toBe(1);
      expect(sandbox.hits('catalog')).toBe(1);
      seen.push(...page.items.map((o: { id: string }) => o.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 50);
    expect(seen).toEqual(busyOrders.map((o) => o.id));
  });

  it('/v2/orders takes sparse fields per item and refuses bad ones, cursors and callers', async () => {
    const page = await json(await get('/v2/orders?limit=2&fields=id,total.amount', as(busyUser)));
    expect(page.items).toHaveLength(2);
    for (const o of page.items) {
      expect(o).toEqual({ id: expect.any(String), total: { amount: expect.any(Number) } });
    }
    expect(page.nextCursor).toEqual(expect.any(String));
    sandbox.resetStats();
    const badField = await get('/v2/orders?fields=id,paymentRef', as(busyUser));
    expect(badField.status).toBe(400);
    expect((await json(badField)).code).toBe('INVALID_FIELDS');
    const foreign = await get(
      `/v2/orders?cursor=${encodeURIComponent(page.nextCursor)}`,
      as('usr_0001'),
    );
    expect(foreign.status).toBe(400);
    expect((await json(foreign)).code).toBe('INVALID_CURSOR');
    expect(sandbox.hits('orders')).toBe(0);
    expect((await get('/v2/orders')).status).toBe(401);
    const service = await get('/v2/orders', internalHeaders({ aud: 'mobile-bff' }));
    expect(service.status).toBe(403);
  });

  it('/v2/orders/:id is grouped with product ids; by URI or media type; v1 is deprecated', async () => {
    const id = busyOrders[0].id;
    const v2 = await get(`/v2/orders/${id}`, as(busyUser));
    expect(v2.status).toBe(200);
    expect(v2.headers.get('deprecation')).toBeNull();
    const body = await json(v2);
    expect(body).toMatchObject({
      id,
      status: expect.any(String),
      placedAt: expect.any(String),
      total: { amount: expect.any(Number), currency: 'EUR' },
    });
    expect(body.shippingAddress).toBeUndefined();
    expect(body.lines[0]).toEqual({
      productId: expect.any(String),
      title: expect.any(String),
      qty: expect.any(Number),
      thumb: expect.any(String),
    });
    const media = await get(`/orders/${id}`, {
      ...as(busyUser),
      accept: 'application/vnd.mobile.v2+json',
    });
    expect(await json(media)).toEqual(body);
    expect(media.headers.get('vary')).toMatch(/accept/i);
    const projected = await json(await get(`/v2/orders/${id}?fields=id,lines.qty`, as(busyUser)));
    expect(projected).toEqual({
      id,
      lines: body.lines.map((l: { qty: number }) => ({ qty: l.qty })),
    });
    // Someone else's order answers like a missing one.
    expect((await get(`/v2/orders/${id}`, as('usr_0001'))).status).toBe(404);

    const v1 = await get(`/v1/orders/${id}`, as(busyUser));
    expect(v1.status).toBe(200);
    expect(v1.headers.get('deprecation')).toMatch(/^@\d+$/);
    expect(v1.headers.get('sunset')).toMatch(/GMT$/);
    expect(v1.headers.get('link')).toBe('</docs>; rel="deprecation"');
  });

  it('/v2/home: grouped tiles, the last three orders when signed in, sparse fields; v1 deprecated', async () => {
    const anonymous = await json(await get('/v2/home'));
    expect(anonymous.greeting).toBeUndefined();
    expect(anonymous.recentOrders).toEqual([]);
    expect(anonymous.tiles.length).toBeGreaterThan(0);
    expect(anonymous.tiles.length).toBeLessThanOrEqual(8);
    expect(anonymous.tiles[0]).toEqual({
      id: expect.any(String),
      title: expect.any(String),
      price: { amount: expect.any(Number), currency: 'EUR' },
      thumb: expect.any(String),
    });
    const signedIn = await json(await get('/v2/home', as(busyUser)));
    expect(signedIn.greeting).toEqual(expect.any(String));
    expect(signedIn.recentOrders.map((o: { id: string }) => o.id)).toEqual(
      busyOrders.slice(0, 3).map((o) => o.id),
    );
    const projected = await json(await get('/v2/home?fields=tiles.id', as(busyUser)));
    expect(Object.keys(projected)).toEqual(['tiles']);
    for (const t of projected.tiles) expect(Object.keys(t)).toEqual(['id']);
    expect((await get('/v2/home?fields=secret')).status).toBe(400);

    sandbox.faults.set('orders', { errorRate: 1 });
    const degraded = await get('/v2/home', as(busyUser));
    expect(degraded.status).toBe(200);
    expect((await json(degraded)).partial).toEqual(['orders']);
    sandbox.faults.reset();

    const v1 = await get('/v1/home');
    expect(v1.status).toBe(200);
    expect(v1.headers.get('deprecation')).toMatch(/^@\d+$/);
  });
});
