import { DEFAULT_FAULT_SETTINGS, SANDBOX_SERVICES, Sandbox, startSandbox } from './sandbox';

describe('control server', () => {
  let sandbox: Sandbox;
  beforeAll(async () => (sandbox = await startSandbox()));
  afterEach(async () => {
    await fetch(`${sandbox.controlUrl}/faults`, { method: 'DELETE' });
    sandbox.resetStats();
  });
  afterAll(() => sandbox.close());

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${sandbox.controlUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  it('answers /health', async () => {
    expect(await call('GET', '/health')).toEqual({
      status: 200,
      body: { status: 'ok', service: 'control' },
    });
  });

  it('lists, merges and resets faults', async () => {
    const all = await call<Record<string, unknown>>('GET', '/faults');
    expect(all.body).toEqual(
      Object.fromEntries(SANDBOX_SERVICES.map((s) => [s, DEFAULT_FAULT_SETTINGS])),
    );

    await call('PUT', '/faults/users', { latencyMs: 20 });
    const merged = await call('PUT', '/faults/users', { errorRate: 1, errorStatus: 504 });
    expect(merged).toEqual({
      status: 200,
      body: { ...DEFAULT_FAULT_SETTINGS, latencyMs: 20, errorRate: 1, errorStatus: 504 },
    });
    expect(sandbox.faults.get('users')).toEqual(merged.body);
    expect((await fetch(`${sandbox.urls.users}/users`)).status).toBe(504);

    expect(await call('DELETE', '/faults/users')).toEqual({
      status: 200,
      body: DEFAULT_FAULT_SETTINGS,
    });
    await call('PUT', '/faults/orders', { latencyMs: 5 });
    await call('PUT', '/faults/reviews', { latencyMs: 5 });
    const cleared = await call<Record<string, unknown>>('DELETE', '/faults');
    expect(cleared.body.orders).toEqual(DEFAULT_FAULT_SETTINGS);
    expect(sandbox.faults.get('reviews')).toEqual(DEFAULT_FAULT_SETTINGS);
  });

  it.each<[string, string, unknown]>([
    ['an unknown key', '/faults/users', { latency: 1 }],
    ['a wrong type', '/faults/users', { outage: 'yes' }],
    ['an out-of-range value', '/faults/users', { errorStatus: 404 }],
    ['a non-object body', '/faults/users', [1, 2]],
    ['malformed JSON', '/faults/users', '{"latencyMs":'],
    ['an unknown service', '/faults/payments', { latencyMs: 1 }],
  ])('rejects %s with 400 and changes nothing', async (_label, path, body) => {
    const res = await call<{ error: string; message: string }>('PUT', path, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
    expect(sandbox.faults.getAll()).toEqual(
      Object.fromEntries(SANDBOX_SERVICES.map((s) => [s, DEFAULT_FAULT_SETTINGS])),
    );
  });

  it('returns only once an outage has taken effect', async () => {
    const url = `${sandbox.urls.catalog}/categories`;
    expect((await call('PUT', '/faults/catalog', { outage: true })).body).toMatchObject({
      outage: true,
    });
    await expect(fetch(url)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    expect((await call('DELETE', '/faults/catalog')).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);

    await call('PUT', '/faults/catalog', { outage: true });
    await call('DELETE', '/faults');
    expect((await fetch(url)).status).toBe(200);
  });

  it('is never subject to faults itself', async () => {
    for (const service of SANDBOX_SERVICES)
      await call('PUT', `/faults/${service}`, { errorRate: 1, resetRate: 1 });
    expect((await call('GET', '/stats')).status).toBe(200);
  });

  it('reports and resets stats', async () => {
    await fetch(`${sandbox.urls.inventory}/inventory/prd_0001`);
    await fetch(`${sandbox.urls.inventory}/inventory?productIds=prd_0001`);
    await fetch(`${sandbox.urls.inventory}/health`);
    const stats = await call<Record<string, { hits: number }>>('GET', '/stats');
    expect(stats.body).toEqual({
      users: { hits: 0 },
      orders: { hits: 0 },
      catalog: { hits: 0 },
      inventory: { hits: 2 },
      reviews: { hits: 0 },
    });
    const recorded = await call<
      { url: string; method: string; headers: Record<string, unknown> }[]
    >('GET', '/requests/inventory');
    expect(recorded.body.map((r) => r.url)).toEqual([
      '/inventory/prd_0001',
      '/inventory?productIds=prd_0001',
    ]);
    expect(recorded.body[0].headers.host).toBe(new URL(sandbox.urls.inventory).host);
    expect((await call('GET', '/requests/payments')).status).toBe(400);

    expect(
      (await call<Record<string, { hits: number }>>('DELETE', '/stats')).body.inventory,
    ).toEqual({ hits: 0 });
    expect(sandbox.hits('inventory')).toBe(0);
    expect((await call('GET', '/requests/inventory')).body).toEqual([]);
  });
});
