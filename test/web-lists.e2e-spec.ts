import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { type TestIssuer, internalHeaders, startTestIssuer } from './support/auth';
import {
  type RunningApp,
  type Sandbox,
  busiestUser,
  json,
  startApp,
  startSandbox,
} from './support/stack';

/** Web lists ("my orders", catalogue listing and search) and web compression, on the sandbox. */
describe('web-bff lists', () => {
  let sandbox: Sandbox;
  let web: RunningApp;
  let issuer: TestIssuer;
  /** The seeded user with the most orders, and those orders as the orders service lists them. */
  let busyUser: string;
  let busyOrders: { id: string; userId: string; items: { productId: string }[] }[];

  beforeAll(async () => {
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    // No response cache: every call here must reach the sandbox to be counted.
    web = await startApp(createWebBff, sandbox, {
      CACHE_ENABLED: 'false',
      RATE_LIMIT_ENABLED: 'false',
      RESILIENCE_BREAKER_MIN_CALLS: '1000',
      ...issuer.env,
    });
    ({ userId: busyUser, orders: busyOrders } = await busiestUser(sandbox));
    sandbox.resetStats();
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
  const userHeaders = (sub: string) => issuer.headers({ sub, aud: 'web-bff' });

  describe('GET /orders (my orders)', () => {
    it('walks the signed-in user’s orders with cursors, lines named in one catalog call per page', async () => {
      expect(busyOrders.length).toBeGreaterThanOrEqual(3);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        sandbox.resetStats();
        const res: Response = await get(
          `/orders?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
          userHeaders(busyUser),
        );
        expect(res.status).toBe(200);
        const page = await json(res);
        expect(page.total).toBe(busyOrders.length);
        expect(page.meta).toEqual({ partial: [] });
        expect(page.items.length).toBeLessThanOrEqual(2);
        for (const order of page.items) {
          expect(Object.keys(order).sort()).toEqual([
            'createdAt',
            'id',
            'itemCount',
            'items',
            'status',
            'total',
          ]);
          for (const line of order.items) {
            expect(line).toEqual({
              productId: expect.any(String),
              name: expect.any(String),
              thumbnailUrl: expect.stringMatching(/^https?:\/\//),
              quantity: expect.any(Number),
            });
          }
        }
        // Batched: one orders call and one catalog call, however many orders and lines.
        expect(sandbox.hits('orders')).toBe(1);
        expect(sandbox.hits('catalog')).toBe(1);
        seen.push(...page.items.map((o: { id: string }) => o.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 50);
      expect(seen).toEqual(busyOrders.map((o) => o.id));
      expect(pages).toBe(Math.ceil(busyOrders.length / 2));
    });

    it('needs a signed-in user; services are refused, and a cursor works for its user only', async () => {
      const anonymous = await get('/orders');
      expect(anonymous.status).toBe(401);
      expect((await json(anonymous)).code).toBe('UNAUTHORIZED');
      const service = await get('/orders', internalHeaders({ aud: 'web-bff' }));
      expect(service.status).toBe(403);
      expect((await json(service)).code).toBe('INSUFFICIENT_SCOPE');

      const first = await json(await get('/orders?limit=1', userHeaders(busyUser)));
      expect(first.nextCursor).toEqual(expect.any(String));
      sandbox.resetStats();
      for (const [path, headers] of [
        [`/orders?cursor=${encodeURIComponent(first.nextCursor)}`, userHeaders('usr_0001')],
        [`/orders?cursor=${encodeURIComponent(first.nextCursor)}&limit=3`, userHeaders(busyUser)],
        ['/orders?cursor=garbage', userHeaders(busyUser)],
        ['/orders?limit=0', userHeaders(busyUser)],
        ['/orders?limit=51', userHeaders(busyUser)],
      ] as const) {
        const res = await get(path, headers);
        expect(res.status).toBe(400);
        expect((await json(res)).code).toMatch(/INVALID_CURSOR|BAD_REQUEST|VALIDATION/);
      }
      expect(sandbox.hits('orders')).toBe(0);
    });

    it('keeps the list when the catalog fails, marked partial', async () => {
      sandbox.faults.set('catalog', { errorRate: 1 });
      const res = await get('/orders?limit=3', userHeaders(busyUser));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-partial-response')).toBe('products');
      const page = await json(res);
      expect(page.meta.partial).toEqual(['products']);
      expect(page.items[0].items[0].name).toBeUndefined();
      expect(page.items[0].items[0].productId).toEqual(expect.any(String));
    });
  });

  describe('GET /products (listing and search)', () => {
    it('walks a category with cursors, each product with its availability, two calls per page', async () => {
      const categories = await json(await fetch(`${sandbox.urls.catalog}/categories`));
      const category: string = categories.items[1].id;
      const direct = await json(
        await fetch(`${sandbox.urls.catalog}/products?category=${category}&pageSize=100`),
      );
      sandbox.resetStats();
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Response = await get(
          `/products?category=${category}&limit=9${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        );
        expect(res.status).toBe(200);
        const page = await json(res);
        expect(page.total).toBe(direct.total);
        for (const p of page.items) {
          expect(p).toEqual({
            id: expect.any(String),
            name: expect.any(String),
            brand: expect.any(String),
            category,
            price: { amount: expect.any(Number), currency: 'EUR' },
            thumbnailUrl: expect.any(String),
            availability: { inStock: expect.any(Boolean), available: expect.any(Number) },
          });
          expect(p.availability.inStock).toBe(p.availability.available > 0);
        }
        seen.push(...page.items.map((p: { id: string }) => p.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null && pages < 50);
      expect(seen).toEqual(direct.items.map((p: { id: string }) => p.id));
      expect(sandbox.hits('catalog')).toBe(pages);
      expect(sandbox.hits('inventory')).toBe(pages);
    });

    it('searches by term, alone or within a category', async () => {
      const sample = await json(await fetch(`${sandbox.urls.catalog}/products/prd_0007`));
      const term: string = sample.brand;
      const direct = await json(
        await fetch(`${sandbox.urls.catalog}/products?q=${encodeURIComponent(term)}&pageSize=100`),
      );
      expect(direct.total).toBeGreaterThan(0);
      const page = await json(await get(`/products?q=${encodeURIComponent(term)}&limit=50`));
      expect(page.total).toBe(direct.total);
      expect(page.items.map((p: { id: string }) => p.id)).toContain('prd_0007');
      const within = await json(
        await get(`/products?q=${encodeURIComponent(term)}&category=${sample.category}&limit=50`),
      );
      expect(within.items.length).toBeGreaterThan(0);
      for (const p of within.items) expect(p.category).toBe(sample.category);
      const none = await json(await get('/products?q=zzzz-no-such-product'));
      expect(none).toMatchObject({ items: [], total: 0, nextCursor: null });
    });

    it('refuses bad filters and cursors of another search with 400, before any downstream call', async () => {
      const first = await json(await get('/products?q=a&limit=2'));
      sandbox.resetStats();
      for (const path of [
        `/products?q=b&cursor=${encodeURIComponent(first.nextCursor)}`,
        `/products?cursor=${encodeURIComponent(first.nextCursor)}`,
        '/products?category=Not%20A%20Category',
        `/products?q=${'x'.repeat(101)}`,
        '/products?limit=abc',
      ]) {
        const res = await get(path);
        expect(res.status).toBe(400);
        expect((await json(res)).statusCode).toBe(400);
      }
      expect(sandbox.hits('catalog')).toBe(0);
      const second = await get(`/products?q=a&cursor=${encodeURIComponent(first.nextCursor)}`);
      expect(second.status).toBe(200);
    });

    it('lists products without availability when the inventory fails', async () => {
      sandbox.faults.set('inventory', { errorRate: 1 });
      const res = await get('/products?limit=5');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-partial-response')).toBe('availability');
      const page = await json(res);
      expect(page.items).toHaveLength(5);
      for (const p of page.items) expect(p.availability).toBeUndefined();
    });
  });

  describe('compression', () => {
    it('brotli or gzip by Accept-Encoding above the threshold, plain below it or when not asked', async () => {
      const br = await request(`${web.url}/products?limit=50`, {
        headers: { 'accept-encoding': 'br, gzip' },
      });
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers.vary).toMatch(/accept-encoding/i);
      const brBytes = Buffer.from(await br.body.arrayBuffer());
      expect(JSON.parse(brotliDecompressSync(brBytes).toString()).items).toHaveLength(50);

      const gz = await request(`${web.url}/orders?limit=20`, {
        headers: { ...userHeaders(busyUser), 'accept-encoding': 'gzip' },
      });
      expect(gz.headers['content-encoding']).toBe('gzip');
      const gzBytes = Buffer.from(await gz.body.arrayBuffer());
      const plain = gunzipSync(gzBytes);
      expect(JSON.parse(plain.toString()).total).toBe(busyOrders.length);
      expect(gzBytes.length).toBeLessThan(plain.length);

      const none = await request(`${web.url}/products?limit=50`);
      expect(none.headers['content-encoding']).toBeUndefined();
      await none.body.dump();
      const small = await request(`${web.url}/health/live`, {
        headers: { 'accept-encoding': 'br, gzip' },
      });
      expect(small.headers['content-encoding']).toBeUndefined();
      await small.body.dump();
    });
  });
});
