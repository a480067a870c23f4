import { InventoryClient } from './inventory.client';
import { mockDownstream } from './clients.test-doubles';

describe('InventoryClient', () => {
  const signal = new AbortController().signal;

  it('GETs the stock of one product, passing signal and headers through', async () => {
    const { downstream, get } = mockDownstream({ productId: 'p 1', available: 3 });
    const headers = { 'x-test': '1' };
    await expect(
      new InventoryClient(downstream).stockOf('p 1', { signal, headers }),
    ).resolves.toEqual({ productId: 'p 1', available: 3 });
    expect(get).toHaveBeenCalledWith('inventory', '/inventory/p%201', { signal, headers });
  });

  it('GETs the stock of several products in one call', async () => {
    const { downstream, get } = mockDownstream({ items: [] });
    await new InventoryClient(downstream).stock(['p1', 'p2'], { signal });
    expect(get).toHaveBeenCalledWith('inventory', '/inventory', {
      signal,
      query: { productIds: ['p1', 'p2'] },
    });
  });
});
