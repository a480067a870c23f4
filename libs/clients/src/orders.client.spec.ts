import { OrdersClient } from './orders.client';
import { mockDownstream } from './clients.test-doubles';

describe('OrdersClient', () => {
  const signal = new AbortController().signal;
  const headers = { 'x-test': '1' };

  it('GETs one order with its id encoded, passing signal and headers through', async () => {
    const { downstream, get } = mockDownstream({ id: 'o/1' });
    await expect(new OrdersClient(downstream).byId('o/1', { signal, headers })).resolves.toEqual({
      id: 'o/1',
    });
    expect(get).toHaveBeenCalledWith('orders', '/orders/o%2F1', { signal, headers });
  });

  it('GETs a page of orders with the given filters', async () => {
    const { downstream, get } = mockDownstream({ items: [] });
    await new OrdersClient(downstream).page({ userId: 'u1', pageSize: 3 }, { signal });
    expect(get).toHaveBeenCalledWith('orders', '/orders', {
      signal,
      query: { userId: 'u1', status: undefined, page: undefined, pageSize: 3 },
    });
  });

  it('GETs the statistics of several users', async () => {
    const { downstream, get } = mockDownstream({});
    await new OrdersClient(downstream).stats(['u1', 'u2'], { signal });
    expect(get).toHaveBeenCalledWith('orders', '/orders/stats', {
      signal,
      query: { userIds: ['u1', 'u2'] },
    });
  });

  it('PATCHes a status change as JSON and returns the updated order', async () => {
    const { downstream, request } = mockDownstream({ id: 'o1', status: 'shipped' });
    await expect(
      new OrdersClient(downstream).changeStatus(
        'o1',
        { status: 'shipped', reason: 'picked up' },
        { signal, headers },
      ),
    ).resolves.toEqual({ id: 'o1', status: 'shipped' });
    expect(request).toHaveBeenCalledWith('orders', {
      signal,
      headers,
      method: 'PATCH',
      path: '/orders/o1/status',
      body: { status: 'shipped', reason: 'picked up' },
    });
  });

  it('names the downstream cache tag of one order', () => {
    expect(new OrdersClient(mockDownstream().downstream).byIdCacheTag('o1')).toBe(
      'orders:/orders/o1',
    );
  });
});
