import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { request } from 'undici';
import { createMobileBff } from '../apps/mobile-bff/src/mobile-bff.app';
import { type RunningApp, type Sandbox, json, startApp, startSandbox } from './support/stack';

describe('mobile client shaping', () => {
  let sandbox: Sandbox;
  let mobile: RunningApp;

  beforeAll(async () => {
    sandbox = await startSandbox();
    mobile = await startApp(createMobileBff, sandbox, {
      RATE_LIMIT_ENABLED: 'false',
      MOBILE_MIN_APP_VERSION: '2.4.0',
    });
  });

  afterAll(async () => {
    await mobile?.app.close();
    await sandbox?.close();
  });

  afterEach(() => sandbox.resetStats());

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${mobile.url}${path}`, { headers });

  describe('sparse fieldsets', () => {
    it('returns only the requested fields, nested ones by dot path', async () => {
      const v1 = await json(await get('/v1/products/prd_0030?fields=id,price,inStock'));
      expect(Object.keys(v1).sort()).toEqual(['id', 'inStock', 'price']);
      const v2 = await json(await get('/v2/products/prd_0030?fields=id,price.amount,related.id'));
      expect(Object.keys(v2).sort()).toEqual(['id', 'price', 'related']);
      expect(v2.price).toEqual({ amount: expect.any(Number) });
      expect(v2.related.length).toBeGreaterThan(0);
      for (const r of v2.related) expect(Object.keys(r)).toEqual(['id']);
    });

    it('refuses unknown fields with a 400 listing the allowed ones, before any downstream call', async () => {
      const res = await get('/v2/products/prd_0030?fields=id,internalNotes,price.cost');
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.code).toBe('INVALID_FIELDS');
      expect(body.message).toMatch(
        /"internalNotes", "price.cost"; allowed: id, title, price, price.amount/,
      );
      expect(sandbox.hits('catalog')).toBe(0);
      expect((await get('/v1/products/prd_0030?fields=a&fields=b')).status).toBe(400);
    });
  });

  describe('cursor pagination', () => {
    it('walks a category page by page with opaque cursors, no gaps, no repeats', async () => {
      const categories = await json(await fetch(`${sandbox.urls.catalog}/categories`));
      const category: string = categories.items[0].id;
      const direct = await json(
        await fetch(`${sandbox.urls.catalog}/products?category=${category}&pageSize=100`),
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Response = await get(
          `/v1/products?category=${category}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.status).toBe(200);
        const page = await json(res);
        expect(page.items.length).toBeLessThanOrEqual(7);
        for (const item of page.items) {
          expect(Object.keys(item).sort()).toEqual([
            'category',
            'currency',
            'id',
            'name',
            'price',
            'thumb',
          ]);
          expect(item.category).toBe(category);
        }
        seen.push(...page.items.map((i: { id: string }) => i.id));
        cursor = page.nextCursor;
        if (cursor !== null) expect(cursor).not.toMatch(/page|category|[{}]/);
        pages++;
      } while (cursor !== null && pages < 50);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(direct.items.map((p: { id: string }) => p.id));
      expect(pages).toBe(Math.ceil(direct.total / 7));
    });

    it('projects list items with fields and keeps the cursor', async () => {
      const page = await json(await get('/v1/products?limit=3&fields=id,price'));
      expect(page.items).toHaveLength(3);
      for (const item of page.items) expect(Object.keys(item).sort()).toEqual(['id', 'price']);
      expect(typeof page.nextCursor).toBe('string');
      expect((await get('/v1/products?fields=id,sku')).status).toBe(400);
    });

    it('refuses forged, foreign and mismatched cursors with 400', async () => {
      const first = await json(await get('/v1/products?limit=5'));
      const cursor: string = first.nextCursor;
      const [payload, tag] = cursor.split('.');
      const forged = `${Buffer.from(JSON.stringify({ p: 40, s: 5, c: '' })).toString('base64url')}.${tag}`;
      sandbox.resetStats();
      for (const path of [
        `/v1/products?cursor=${forged}`,
        `/v1/products?cursor=${payload}`,
        '/v1/products?cursor=garbage',
        `/v1/products?cursor=${cursor}&category=electronics`,
        `/v1/products?cursor=${cursor}&limit=6`,
      ]) {
        const res = await get(path);
        expect(res.status).toBe(400);
        expect((await json(res)).code).toMatch(/INVALID_CURSOR|BAD_REQUEST/);
      }
      expect(sandbox.hits('catalog')).toBe(0);
      const second = await get(`/v1/products?cursor=${encodeURIComponent(cursor)}&limit=5`);
      expect(second.status).toBe(200);
    });
  });

  describe('compression', () => {
    it('brotli or gzip by Accept-Encoding above the threshold, plain below it', async () => {
      const br = await request(`${mobile.url}/v1/products?limit=50`, {
        headers: { 'accept-encoding': 'br' },
      });
      expect(br.headers['content-encoding']).toBe('br');
      const brBytes = Buffer.from(await br.body.arrayBuffer());
      const items = JSON.parse(brotliDecompressSync(brBytes).toString()).items;
      expect(items).toHaveLength(50);

      const gz = await request(`${mobile.url}/v1/products?limit=50`, {
        headers: { 'accept-encoding': 'gzip' },
      });
      expect(gz.headers['content-encoding']).toBe('gzip');
      const gzBytes = Buffer.from(await gz.body.arrayBuffer());
      const plain = gunzipSync(gzBytes);
      expect(JSON.parse(plain.toString()).items).toHaveLength(50);
      expect(gzBytes.length * 3).toBeLessThan(plain.length);

      const none = await request(`${mobile.url}/v1/products?limit=50`);
      expect(none.headers['content-encoding']).toBeUndefined();
      await none.body.dump();

      // A small body (under 1 KiB) is not worth compressing.
      const small = await request(`${mobile.url}/v1/products?limit=1&fields=id`, {
        headers: { 'accept-encoding': 'br, gzip' },
      });
      expect(small.headers['content-encoding']).toBeUndefined();
      await small.body.dump();
    });
  });

  describe('minimum app version', () => {
    it('answers 426 Upgrade Required below MOBILE_MIN_APP_VERSION, before any work', async () => {
      const old = await get('/v2/products/prd_0031', { 'x-app-version': '2.3.9' });
      expect(old.status).toBe(426);
      expect(await json(old)).toMatchObject({
        statusCode: 426,
        error: 'Upgrade Required',
        code: 'UPGRADE_REQUIRED',
        message: 'App version 2.3.9 is no longer supported; please update to 2.4.0 or later',
      });
      expect(sandbox.hits('catalog')).toBe(0);
      expect((await get('/v2/products/prd_0031', { 'x-app-version': '2.4.0' })).status).toBe(200);
      expect((await get('/v2/products/prd_0031', { 'x-app-version': '2.10' })).status).toBe(200);
      expect((await get('/v2/products/prd_0031')).status).toBe(200);
      const bad = await get('/v2/products/prd_0031', { 'x-app-version': 'latest' });
      expect(bad.status).toBe(400);
      expect((await json(bad)).code).toBe('INVALID_APP_VERSION');
    });
  });
});
