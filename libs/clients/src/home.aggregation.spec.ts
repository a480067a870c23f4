import { CatalogClient } from './catalog.client';
import { mockDownstream } from './clients.test-doubles';
import { HomeAggregation } from './home.aggregation';
import { OrdersClient } from './orders.client';
import { UsersClient } from './users.client';

describe('HomeAggregation', () => {
  const answers: Record<string, unknown> = {
    '/products': { items: [{ id: 'p1' }] },
    '/categories': { items: [{ id: 'c1' }] },
    '/users/u1': { id: 'u1' },
    '/orders': { items: [{ id: 'o2' }, { id: 'o1' }] },
  };

  const setup = (failing: string[] = []) => {
    const { downstream, get } = mockDownstream();
    get.mockImplementation(async (_service: string, path: string) => {
      if (failing.includes(path)) throw new Error(`${path} failed`);
      return answers[path];
    });
    const homes = new HomeAggregation(
      new CatalogClient(downstream),
      new UsersClient(downstream),
      new OrdersClient(downstream),
    );
    const calls = () => get.mock.calls.map(([service, path]) => `${service} ${path}`).sort();
    return { homes, get, calls };
  };

  it('fetches featured products, categories, the user and their latest orders', async () => {
    const { homes, get, calls } = setup();
    await expect(
      homes.home('u1', { featured: 12, recentOrders: 3, categories: true }),
    ).resolves.toEqual({
      featured: [{ id: 'p1' }],
      categories: [{ id: 'c1' }],
      user: { id: 'u1' },
      orders: [{ id: 'o2' }, { id: 'o1' }],
    });
    expect(calls()).toEqual([
      'catalog /categories',
      'catalog /products',
      'orders /orders',
      'users /users/u1',
    ]);
    expect(get).toHaveBeenCalledWith('orders', '/orders', {
      signal: expect.any(AbortSignal),
      query: { userId: 'u1', pageSize: 3 },
    });
  });

  it('makes no call for parts not asked for or without a user', async () => {
    const { homes, calls } = setup();
    await expect(homes.home(undefined, { featured: 8, recentOrders: 1 })).resolves.toEqual({
      featured: [{ id: 'p1' }],
      categories: [],
      user: undefined,
      orders: [],
    });
    expect(calls()).toEqual(['catalog /products']);
  });

  it('answers without the optional parts when they fail', async () => {
    const { homes } = setup(['/categories', '/users/u1', '/orders']);
    await expect(
      homes.home('u1', { featured: 12, recentOrders: 3, categories: true }),
    ).resolves.toEqual({ featured: [{ id: 'p1' }], categories: [], user: undefined, orders: [] });
  });
});
