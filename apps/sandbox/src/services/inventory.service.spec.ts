import { Sandbox, startSandbox } from '../sandbox';
import type { InventoryRecord } from '../seed.types';

describe('inventory service', () => {
  let sandbox: Sandbox;
  beforeAll(async () => (sandbox = await startSandbox()));
  afterAll(() => sandbox.close());

  async function get<T>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${sandbox.urls.inventory}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  }

  it('gets one product stock, 404 when unknown', async () => {
    const { status, body } = await get<InventoryRecord>('/inventory/prd_0005');
    expect(status).toBe(200);
    expect(body.productId).toBe('prd_0005');
    expect(body.warehouses.reduce((s, w) => s + w.quantity, 0)).toBe(
      body.available + body.reserved,
    );
    expect((await get('/inventory/prd_9999')).status).toBe(404);
  });

  it('batches by productIds, leaving unknown ids out', async () => {
    const { body } = await get<{ items: InventoryRecord[] }>(
      '/inventory?productIds=prd_0003,prd_9999,prd_0001',
    );
    expect(body.items.map((i) => i.productId)).toEqual(['prd_0003', 'prd_0001']);
    expect((await get('/inventory')).status).toBe(400);
    expect((await get<{ items: unknown[] }>('/inventory?productIds=')).body.items).toEqual([]);
  });
});
