import { Sandbox, startSandbox } from '../sandbox';
import type { Order } from '../seed.types';
import type { OrderStats } from './orders.store';

interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

describe('orders service', () => {
  let sandbox: Sandbox;
  beforeAll(async () => (sandbox = await startSandbox()));
  afterAll(() => sandbox.close());

  async function call<T>(
    path: string,
    init: { method?: 'GET' | 'PATCH'; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${sandbox.urls.orders}${path}`, {
      method: init.method ?? 'GET',
      headers:
        init.body === undefined
          ? init.headers
          : { 'content-type': 'application/json', ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  it('lists newest first with filters', async () => {
    const { body } = await call<Page<Order>>('/orders?pageSize=100');
    expect(body).toMatchObject({ page: 1, pageSize: 100, total: 500 });
    for (let i = 1; i < body.items.length; i++) {
      expect(body.items[i - 1].createdAt >= body.items[i].createdAt).toBe(true);
    }
    const shipped = await call<Page<Order>>('/orders?status=shipped&pageSize=100');
    expect(shipped.body.total).toBeGreaterThan(0);
    expect(shipped.body.items.every((o) => o.status === 'shipped')).toBe(true);
    const userId = body.items[0].userId;
    const mine = await call<Page<Order>>(`/orders?userId=${userId}&pageSize=3`);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((o) => o.userId === userId)).toBe(true);
    expect(mine.body.items[0].id).toBe(body.items[0].id);
    expect((await call<Page<Order>>('/orders?userId=usr_9999')).body.total).toBe(0);
    expect((await call('/orders?status=refunded')).status).toBe(400);
  });

  it('answers /orders/stats for a batch of users', async () => {
    const res = await call<Record<string, OrderStats>>(
      '/orders/stats?userIds=usr_0001,usr_0002,usr_9999',
    );
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['usr_0001', 'usr_0002']);
    expect(res.body.usr_0001.totalSpent.currency).toBe('EUR');
    const mine = await call<Page<Order>>('/orders?userId=usr_0001&pageSize=100');
    expect(res.body.usr_0001.count).toBe(mine.body.total);
    expect(res.body.usr_0001.lastOrderAt).toBe(mine.body.items[0]?.createdAt ?? null);
    expect((await call('/orders/stats')).status).toBe(400);
  });

  it('gets one order, 404 when unknown', async () => {
    expect((await call<Order>('/orders/ord_00001')).body.id).toBe('ord_00001');
    expect((await call('/orders/ord_99999')).body).toEqual({
      error: 'not_found',
      message: 'Order ord_99999 not found',
    });
  });

  it('changes status following the rules, visible to later GETs', async () => {
    const { body: pending } = await call<Page<Order>>('/orders?status=pending&pageSize=1');
    const order = pending.items[0];
    const paid = await call<Order>(`/orders/${order.id}/status`, {
      method: 'PATCH',
      body: { status: 'paid', reason: 'card captured' },
      headers: { 'x-user-id': 'ops.anna' },
    });
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('paid');
    expect(paid.body.updatedAt > order.updatedAt).toBe(true);
    expect(paid.body.history.at(-1)).toEqual({
      status: 'paid',
      at: paid.body.updatedAt,
      by: 'ops.anna',
      reason: 'card captured',
    });
    const shipped = await call<Order>(`/orders/${order.id}/status`, {
      method: 'PATCH',
      body: { status: 'shipped' },
    });
    expect(shipped.body.history.at(-1)?.by).toBe('system');
    expect((await call<Order>(`/orders/${order.id}`)).body.status).toBe('shipped');

    const backwards = await call<{ error: string }>(`/orders/${order.id}/status`, {
      method: 'PATCH',
      body: { status: 'paid' },
    });
    expect(backwards).toMatchObject({ status: 409, body: { error: 'conflict' } });
    expect((await call<Order>(`/orders/${order.id}`)).body.status).toBe('shipped');
  });

  it('rejects bad status changes without a 500', async () => {
    const patch = (path: string, body: unknown) =>
      call<{ error: string }>(path, { method: 'PATCH', body });
    expect((await patch('/orders/ord_00001/status', { status: 'refunded' })).status).toBe(400);
    expect((await patch('/orders/ord_00001/status', {})).status).toBe(400);
    expect((await patch('/orders/ord_00001/status', { status: 3 })).status).toBe(400);
    expect((await patch('/orders/ord_00001/status', 'paid')).status).toBe(400);
    expect((await patch('/orders/ord_99999/status', { status: 'paid' })).status).toBe(404);
    const raw = await fetch(`${sandbox.urls.orders}/orders/ord_00001/status`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"status":',
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ error: 'bad_request' });
  });
});
