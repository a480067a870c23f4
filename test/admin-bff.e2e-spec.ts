import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { ADMIN_SCOPES, type TestIssuer, startTestIssuer } from './support/auth';
import { type RunningApp, type Sandbox, json, startApp, startSandbox } from './support/stack';

describe('admin-bff against the sandbox', () => {
  let sandbox: Sandbox;
  let admin: RunningApp;
  let issuer: TestIssuer;

  beforeAll(async () => {
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    admin = await startApp(createAdminBff, sandbox, {
      BFF_BODY_LIMIT_BYTES: '4096',
      ...issuer.env,
    });
  });

  afterAll(async () => {
    await admin?.app.close();
    await sandbox?.close();
    await issuer?.close();
  });

  afterEach(() => {
    sandbox.faults.reset();
    sandbox.resetStats();
  });

  // Reads as support staff (they may read), mutations as an admin (only they may mutate).
  const get = (path: string) =>
    fetch(`${admin.url}${path}`, {
      headers: issuer.headers({
        sub: 'staff_support',
        roles: ['support'],
        aud: 'admin-bff',
        scope: 'users:read orders:read',
      }),
    });
  const patch = (path: string, body: unknown, raw?: string) =>
    fetch(`${admin.url}${path}`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        ...issuer.headers({
          sub: 'staff_admin',
          roles: ['admin'],
          aud: 'admin-bff',
          scope: ADMIN_SCOPES,
        }),
      },
      body: raw ?? JSON.stringify(body),
    });

  it('lists users with search, pagination and order statistics', async () => {
    const page1 = await json(await get('/users?page=1&pageSize=10'));
    expect(page1.items).toHaveLength(10);
    expect(page1.pageInfo).toMatchObject({ page: 1, pageSize: 10, total: 60, totalPages: 6 });
    expect(page1.items[0]).toMatchObject({
      riskScore: expect.any(Number),
      internalNotes: expect.any(String),
    });
    expect(
      page1.items.some((u: { orders?: { count: number } }) => (u.orders?.count ?? 0) > 0),
    ).toBe(true);
    const page2 = await json(await get('/users?page=2&pageSize=10'));
    expect(page2.items[0].id).not.toBe(page1.items[0].id);

    const target = page1.items[3];
    const found = await json(await get(`/users?q=${encodeURIComponent(target.lastName)}`));
    expect(found.items.map((u: { id: string }) => u.id)).toContain(target.id);
    expect(
      found.items.every((u: { lastName: string; firstName: string; email: string }) =>
        `${u.firstName} ${u.lastName} ${u.email}`
          .toLowerCase()
          .includes(target.lastName.toLowerCase()),
      ),
    ).toBe(true);
  });

  it('rejects bad pagination with 400', async () => {
    const res = await get('/users?pageSize=1000');
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe('BAD_REQUEST');
    expect(sandbox.hits('users')).toBe(0);
  });

  it('filters orders by status and resolves customers and products', async () => {
    const res = await get('/orders?status=shipped&pageSize=25');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.every((o: { status: string }) => o.status === 'shipped')).toBe(true);
    expect(body.items[0]).toMatchObject({
      paymentRef: expect.any(String),
      fraudScore: expect.any(Number),
    });
    expect(body.items[0].customer).toMatchObject({ email: expect.any(String) });
    expect(body.items[0].items[0]).toMatchObject({
      name: expect.any(String),
      sku: expect.any(String),
    });
    expect((await get('/orders?status=lost')).status).toBe(400);
  });

  it('shows an order with internal fields, customer, products and stock', async () => {
    const body = await json(await get('/orders/ord_00010'));
    expect(body).toMatchObject({
      id: 'ord_00010',
      paymentRef: expect.any(String),
      history: expect.any(Array),
    });
    expect(body.customer.riskScore).toEqual(expect.any(Number));
    expect(body.items[0].available).toEqual(expect.any(Number));
    expect(body.meta.partial).toEqual([]);
  });

  it('forwards an order status change, and the orders service rules it', async () => {
    const list = await json(await get('/orders?status=pending&pageSize=1'));
    const id = list.items[0].id;
    const ok = await patch(`/orders/${id}/status`, { status: 'paid', reason: 'payment confirmed' });
    expect(ok.status).toBe(200);
    expect((await json(ok)).status).toBe('paid');
    const after = await json(await get(`/orders/${id}`));
    expect(after.status).toBe('paid');
    expect(after.history.at(-1).status).toBe('paid');

    const conflict = await patch(`/orders/${id}/status`, { status: 'pending' });
    expect(conflict.status).toBe(409);
    expect((await json(conflict)).code).toBe('CONFLICT');
  });

  it('validates the mutation body: 400 for bad values or JSON, 413 for oversized bodies', async () => {
    sandbox.resetStats();
    expect((await patch('/orders/ord_00001/status', { status: 'teleported' })).status).toBe(400);
    expect((await patch('/orders/ord_00001/status', { status: 'paid', extra: 1 })).status).toBe(
      400,
    );
    const malformed = await patch('/orders/ord_00001/status', undefined, '{"status":');
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).code).toBe('BAD_REQUEST');
    const huge = await patch('/orders/ord_00001/status', {
      status: 'paid',
      reason: 'x'.repeat(10_000),
    });
    expect(huge.status).toBe(413);
    expect((await json(huge)).code).toBe('PAYLOAD_TOO_LARGE');
    expect(sandbox.hits('orders')).toBe(0);
  });

  it('does not retry or hide a failed mutation: 502 when the orders service errors', async () => {
    sandbox.faults.set('orders', { errorRate: 1 });
    const res = await patch('/orders/ord_00020/status', { status: 'cancelled' });
    expect(res.status).toBe(502);
    expect(sandbox.hits('orders')).toBe(1);
  });
});
