import { generateSeedData } from '../seed.data';
import { ORDER_STATUSES, OrderStatus } from '../seed.types';
import { HttpError } from '../http.util';
import { ORDER_TRANSITIONS, canTransition, isOrderStatus } from './orders.rules';
import { OrdersStore } from './orders.store';

describe('order status rules', () => {
  const allowed: [OrderStatus, OrderStatus][] = [
    ['pending', 'paid'],
    ['pending', 'cancelled'],
    ['paid', 'shipped'],
    ['paid', 'cancelled'],
    ['shipped', 'delivered'],
  ];

  it('allows exactly the documented transitions', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect([from, to, canTransition(from, to)]).toEqual([from, to, expected]);
      }
    }
    expect(ORDER_TRANSITIONS.delivered).toEqual([]);
    expect(ORDER_TRANSITIONS.cancelled).toEqual([]);
  });

  it('recognises statuses', () => {
    expect(isOrderStatus('paid')).toBe(true);
    expect(isOrderStatus('refunded')).toBe(false);
    expect(isOrderStatus(3)).toBe(false);
  });
});

describe('OrdersStore', () => {
  const data = generateSeedData();
  const users = new Set(data.users.map((u) => u.id));
  let store: OrdersStore;
  beforeEach(() => (store = new OrdersStore(data.orders, users)));

  const firstWith = (status: OrderStatus) => {
    const order = store.list({ status })[0];
    if (order === undefined) throw new Error(`no ${status} order`);
    return order;
  };
  const failure = (fn: () => unknown): HttpError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof HttpError) return e;
    }
    throw new Error('expected an HttpError');
  };

  it('lists newest first and filters by status and user', () => {
    const all = store.list();
    expect(all).toHaveLength(500);
    for (let i = 1; i < all.length; i++)
      expect(all[i - 1].createdAt >= all[i].createdAt).toBe(true);
    const userId = all[0].userId;
    const mine = store.list({ userId, status: all[0].status });
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((o) => o.userId === userId && o.status === all[0].status)).toBe(true);
    expect(store.list({ userId: 'usr_9999' })).toEqual([]);
  });

  it('applies an allowed change: status, updatedAt and history', () => {
    const order = firstWith('pending');
    const before = order.history.length;
    const now = Date.parse('2030-01-01T00:00:00Z');
    const updated = store.changeStatus(order.id, 'paid', 'usr_0001', 'paid by card', now);
    expect(updated.status).toBe('paid');
    expect(updated.updatedAt).toBe('2030-01-01T00:00:00.000Z');
    expect(updated.history).toHaveLength(before + 1);
    expect(updated.history[before]).toEqual({
      status: 'paid',
      at: updated.updatedAt,
      by: 'usr_0001',
      reason: 'paid by card',
    });
    expect(store.get(order.id)?.status).toBe('paid');
    expect(store.changeStatus(order.id, 'shipped', 'system').status).toBe('shipped');
  });

  it('keeps its own copy of the seed', () => {
    const order = firstWith('pending');
    store.changeStatus(order.id, 'cancelled', 'system');
    const pristine = data.orders.find((o) => o.id === order.id);
    expect(pristine?.status).toBe('pending');
    expect(new OrdersStore(data.orders, users).get(order.id)?.status).toBe('pending');
  });

  it('rejects forbidden transitions with 409', () => {
    for (const [status, to] of [
      ['pending', 'shipped'],
      ['paid', 'delivered'],
      ['shipped', 'cancelled'],
      ['delivered', 'cancelled'],
      ['cancelled', 'paid'],
      ['paid', 'paid'],
    ] as [OrderStatus, OrderStatus][]) {
      const order = firstWith(status);
      const error = failure(() => store.changeStatus(order.id, to, 'system'));
      expect([status, to, error.statusCode, error.code]).toEqual([status, to, 409, 'conflict']);
      expect(store.get(order.id)?.status).toBe(status);
    }
  });

  it('rejects unknown statuses with 400 and unknown orders with 404', () => {
    expect(
      failure(() => store.changeStatus(firstWith('pending').id, 'refunded', 'system')).statusCode,
    ).toBe(400);
    expect(failure(() => store.changeStatus('ord_99999', 'paid', 'system')).statusCode).toBe(404);
  });

  it('computes per-user stats, leaving unknown users out', () => {
    const userId = data.orders[0].userId;
    const stats = store.stats([userId, 'usr_9999']);
    expect(Object.keys(stats)).toEqual([userId]);
    const orders = data.orders.filter((o) => o.userId === userId);
    const spent = orders
      .filter((o) => ['paid', 'shipped', 'delivered'].includes(o.status))
      .reduce((s, o) => s + Math.round(o.total.amount * 100), 0);
    expect(stats[userId]).toEqual({
      count: orders.length,
      totalSpent: { amount: spent / 100, currency: 'EUR' },
      lastOrderAt: orders
        .map((o) => o.createdAt)
        .sort()
        .reverse()[0],
    });
    // Every seed user has orders (the old `if (idle !== undefined)` never ran): one user's
    // orders are left out, so a known user without orders is always checked.
    const idle = data.users[0].id;
    const idleStore = new OrdersStore(
      data.orders.filter((o) => o.userId !== idle),
      users,
    );
    expect(idleStore.stats([idle])[idle]).toEqual({
      count: 0,
      totalSpent: { amount: 0, currency: 'EUR' },
      lastOrderAt: null,
    });
  });
});
