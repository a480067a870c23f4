import { CatalogClient } from './catalog.client';
import { mockDownstream } from './clients.test-doubles';
import { InventoryClient } from './inventory.client';
import { ProductAggregation } from './product.aggregation';
import { ReviewsClient } from './reviews.client';

describe('ProductAggregation', () => {
  const answers: Record<string, unknown> = {
    '/products/p1': { id: 'p1' },
    '/inventory/p1': { productId: 'p1', available: 2 },
    '/reviews/summary/p1': { productId: 'p1', count: 5 },
    '/products/p1/related': { items: [{ id: 'p2' }] },
  };

  const setup = (failing: string[] = []) => {
    const { downstream, get } = mockDownstream();
    get.mockImplementation(async (_service: string, path: string) => {
      if (failing.includes(path)) throw new Error(`${path} failed`);
      return answers[path];
    });
    const products = new ProductAggregation(
      new CatalogClient(downstream),
      new InventoryClient(downstream),
      new ReviewsClient(downstream),
    );
    return { products, get };
  };

  it('fetches product, availability, reviews and related products in parallel', async () => {
    const { products, get } = setup();
    await expect(products.details('p1', { related: 4 })).resolves.toEqual({
      product: { id: 'p1' },
      availability: { productId: 'p1', available: 2 },
      reviews: { productId: 'p1', count: 5 },
      related: [{ id: 'p2' }],
    });
    expect(get.mock.calls.map(([service, path]) => `${service} ${path}`).sort()).toEqual([
      'catalog /products/p1',
      'catalog /products/p1/related',
      'inventory /inventory/p1',
      'reviews /reviews/summary/p1',
    ]);
    expect(get).toHaveBeenCalledWith('catalog', '/products/p1/related', {
      signal: expect.any(AbortSignal),
      query: { limit: 4 },
    });
  });

  it('does not call for related products unless asked', async () => {
    const { products, get } = setup();
    await expect(products.details('p1')).resolves.toMatchObject({ related: [] });
    expect(get).not.toHaveBeenCalledWith('catalog', '/products/p1/related', expect.anything());
  });

  it('leaves failed optional parts out (related becomes empty)', async () => {
    const { products } = setup(['/inventory/p1', '/products/p1/related']);
    const details = await products.details('p1', { related: 6 });
    expect(details).toEqual({
      product: { id: 'p1' },
      reviews: { productId: 'p1', count: 5 },
      related: [],
    });
  });

  it('fails when the product itself fails', async () => {
    const { products } = setup(['/products/p1']);
    await expect(products.details('p1')).rejects.toThrow('/products/p1 failed');
  });
});
