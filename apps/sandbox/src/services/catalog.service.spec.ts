import { Sandbox, startSandbox } from '../sandbox';
import type { Category, Product } from '../seed.types';

interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

describe('catalog service', () => {
  let sandbox: Sandbox;
  beforeAll(async () => (sandbox = await startSandbox()));
  afterAll(() => sandbox.close());

  async function get<T>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${sandbox.urls.catalog}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  }

  it('lists categories with product counts', async () => {
    const { body } = await get<{ items: Category[] }>('/categories');
    expect(body.items).toHaveLength(8);
    expect(body.items.reduce((s, c) => s + c.productCount, 0)).toBe(300);
    const electronics = body.items.find((c) => c.id === 'electronics');
    const listed = await get<Page<Product>>('/products?category=electronics');
    expect(listed.body.total).toBe(electronics?.productCount);
    expect(listed.body.items.every((p) => p.category === 'electronics')).toBe(true);
    expect((await get('/products?category=weapons')).status).toBe(400);
  });

  it('pages the product list', async () => {
    const a = await get<Page<Product>>('/products?page=2&pageSize=50');
    expect(a.body).toMatchObject({ page: 2, pageSize: 50, total: 300 });
    expect(a.body.items[0].id).toBe('prd_0051');
    expect((await get('/products?pageSize=500')).status).toBe(400);
  });

  it('filters featured, ids and q, combined', async () => {
    const featured = await get<Page<Product>>('/products?featured=true&pageSize=100');
    expect(featured.body.total).toBe(20);
    expect(featured.body.items.every((p) => p.featured)).toBe(true);
    expect((await get<Page<Product>>('/products?featured=false')).body.total).toBe(280);
    expect((await get('/products?featured=maybe')).status).toBe(400);

    const ids = await get<Page<Product>>('/products?ids=prd_0002,prd_0001,prd_9999');
    expect(ids.body.items.map((p) => p.id)).toEqual(['prd_0001', 'prd_0002']);

    const brand = featured.body.items[0].brand;
    const q = await get<Page<Product>>(
      `/products?q=${encodeURIComponent(brand.toLowerCase())}&pageSize=100`,
    );
    expect(q.body.total).toBeGreaterThan(0);
    expect(
      q.body.items.every((p) =>
        `${p.name} ${p.brand} ${p.sku} ${p.tags.join(' ')}`
          .toLowerCase()
          .includes(brand.toLowerCase()),
      ),
    ).toBe(true);
    const both = await get<Page<Product>>(
      `/products?q=${encodeURIComponent(brand)}&featured=true&pageSize=100`,
    );
    expect(
      both.body.items.every((p) => p.featured && q.body.items.some((x) => x.id === p.id)),
    ).toBe(true);
  });

  it('gets a product and its related products', async () => {
    const { body: product } = await get<Product>('/products/prd_0010');
    expect(product.id).toBe('prd_0010');
    const related = await get<{ items: Product[] }>('/products/prd_0010/related');
    expect(related.body.items).toHaveLength(4);
    expect(
      related.body.items.every((p) => p.category === product.category && p.id !== product.id),
    ).toBe(true);
    expect(
      (await get<{ items: Product[] }>('/products/prd_0010/related?limit=20')).body.items.length,
    ).toBeLessThanOrEqual(20);
    expect((await get('/products/prd_0010/related?limit=0')).status).toBe(400);
    expect((await get('/products/prd_0010/related?limit=21')).status).toBe(400);
    expect((await get('/products/prd_9999/related')).status).toBe(404);
    expect((await get('/products/prd_9999')).body).toEqual({
      error: 'not_found',
      message: 'Product prd_9999 not found',
    });
  });
});
