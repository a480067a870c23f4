import type { Principal } from '@app/core';
import { aggregate } from '@app/aggregation';
import type { Order } from '@app/contracts';
import { CatalogClient } from './catalog.client';
import { mockDownstream } from './clients.test-doubles';
import { OrderAggregation } from './order.aggregation';
import { OrdersClient } from './orders.client';

const user = (subject: string, roles: string[] = []): Principal => ({
  subject,
  kind: 'user',
  roles,
  scopes: [],
  tier: 'standard',
});

const order = {
  id: 'o1',
  userId: 'u1',
  items: [
    { productId: 'p1', quantity: 1, unitPrice: { amount: 1, currency: 'EUR' } },
    { productId: 'p2', quantity: 2, unitPrice: { amount: 2, currency: 'EUR' } },
    { productId: 'p1', quantity: 3, unitPrice: { amount: 1, currency: 'EUR' } },
  ],
} as Order;

describe('OrderAggregation', () => {
  const setup = (catalogFails = false) => {
    const { downstream, get } = mockDownstream();
    get.mockImplementation(async (service: string) => {
      if (service === 'orders') return order;
      if (catalogFails) throw new Error('catalog down');
      return { items: [{ id: 'p1', name: 'One', thumbnailUrl: 't1' }] };
    });
    const orders = new OrderAggregation(
      new OrdersClient(downstream),
      new CatalogClient(downstream),
    );
    return { orders, get };
  };

  it("gives the caller's own order, and a privileged caller any", async () => {
    const { orders, get } = setup();
    await expect(orders.owned('o1', user('u1'))).resolves.toBe(order);
    await expect(orders.owned('o1', user('u9', ['support']))).resolves.toBe(order);
    expect(get).toHaveBeenCalledWith('orders', '/orders/o1', { signal: expect.any(AbortSignal) });
  });

  it("answers someone else's order like a missing one", async () => {
    const { orders } = setup();
    await expect(orders.owned('o1', user('u9'))).rejects.toMatchObject({ status: 404 });
  });

  it("names the order's lines from one catalog call over its distinct products", async () => {
    const { orders, get } = setup();
    const { data, partial } = await aggregate({ products: orders.lineProducts(order) });
    expect(partial).toEqual([]);
    expect(get).toHaveBeenCalledWith('catalog', '/products', {
      signal: expect.any(AbortSignal),
      query: expect.objectContaining({ ids: ['p1', 'p2'], pageSize: 100 }),
    });
    expect(orders.namedLines(order, data.products)).toEqual([
      { ...order.items[0], name: 'One', thumbnailUrl: 't1' },
      { ...order.items[1], name: undefined, thumbnailUrl: undefined },
      { ...order.items[2], name: 'One', thumbnailUrl: 't1' },
    ]);
  });

  it('keeps the lines unnamed when the catalog fails', async () => {
    const { orders } = setup(true);
    const { data, partial } = await aggregate({ products: orders.lineProducts(order) });
    expect(partial).toEqual(['products']);
    expect(orders.namedLines(order, data.products)[0]).toMatchObject({
      productId: 'p1',
      name: undefined,
    });
  });
});
