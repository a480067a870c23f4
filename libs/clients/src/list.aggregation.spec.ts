import type { Order } from '@app/contracts';
import { CatalogClient } from './catalog.client';
import { mockDownstream } from './clients.test-doubles';
import { InventoryClient } from './inventory.client';
import { ListAggregation } from './list.aggregation';
import { OrdersClient } from './orders.client';

const line = (productId: string) => ({
  productId,
  quantity: 1,
  unitPrice: { amount: 1, currency: 'EUR' },
});
/** 30 orders of 5 lines over 150 distinct products, with repeats across orders. */
const orders = Array.from({ length: 30 }, (_, o) => ({
  id: `o${o}`,
  userId: 'u1',
  items: [0, 1, 2, 3, 4].map((i) => line(`p${(o * 5 + i) % 150}`)).concat(line('p0')),
})) as Order[];

describe('ListAggregation', () => {
  const setup = (failing?: string) => {
    const { downstream, get } = mockDownstream();
    get.mockImplementation(
      async (service: string, path: string, options: { query?: Record<string, unknown> }) => {
        if (service === failing) throw new Error(`${service} down`);
        if (service === 'orders') return { items: orders, total: 95, page: 1, pageSize: 30 };
        if (service === 'inventory') {
          const ids = options.query?.productIds as string[];
          return { items: ids.map((productId) => ({ productId, available: 3 })) };
        }
        if (path === '/products' && options.query?.ids !== undefined) {
          const ids = options.query.ids as string[];
          return { items: ids.map((id) => ({ id, name: `n-${id}` })) };
        }
        return { items: [{ id: 'p1' }, { id: 'p2' }], total: 2, page: 1, pageSize: 20 };
      },
    );
    const lists = new ListAggregation(
      new OrdersClient(downstream),
      new CatalogClient(downstream),
      new InventoryClient(downstream),
    );
    return { lists, get };
  };

  it('names the lines of a page of orders with one catalog call per 100 distinct products', async () => {
    const { lists, get } = setup();
    const page = await lists.userOrders('u1', { page: 2, pageSize: 30 });
    expect(page.total).toBe(95);
    expect(page.products?.size).toBe(150);
    expect(get).toHaveBeenCalledWith('orders', '/orders', {
      signal: expect.any(AbortSignal),
      query: { userId: 'u1', page: 2, pageSize: 30, status: undefined },
    });
    const catalogCalls = get.mock.calls.filter(([service]) => service === 'catalog');
    expect(catalogCalls.map(([, , o]) => o.query.ids.length)).toEqual([100, 50]);
  });

  it('keeps the orders when the catalog fails', async () => {
    const { lists } = setup('catalog');
    const page = await lists.userOrders('u1', { page: 1, pageSize: 30 });
    expect(page.orders).toHaveLength(30);
    expect(page.products).toBeUndefined();
  });

  it('gives a page of products with their stock from one inventory call', async () => {
    const { lists, get } = setup();
    const page = await lists.products({ category: 'toys', q: 'lego' }, { page: 1, pageSize: 20 });
    expect(page.products.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(page.stock?.get('p2')?.available).toBe(3);
    expect(get.mock.calls.filter(([service]) => service === 'inventory')).toHaveLength(1);
    expect(get).toHaveBeenCalledWith('catalog', '/products', {
      signal: expect.any(AbortSignal),
      query: expect.objectContaining({ category: 'toys', q: 'lego', page: 1, pageSize: 20 }),
    });
  });

  it('keeps the products without stock when the inventory fails', async () => {
    const { lists } = setup('inventory');
    const page = await lists.products({}, { page: 1, pageSize: 20 });
    expect(page.products).toHaveLength(2);
    expect(page.stock).toBeUndefined();
  });
});
