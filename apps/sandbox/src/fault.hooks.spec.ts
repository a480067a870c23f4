import { Sandbox, startSandbox } from './sandbox';

/** The low-level error code behind a failed fetch (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET...). */
async function failureCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? String(error);
  }
  throw new Error('expected the request to fail');
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

describe('fault injection over HTTP', () => {
  let sandbox: Sandbox;
  beforeAll(async () => (sandbox = await startSandbox()));
  afterEach(() => {
    sandbox.faults.reset();
    sandbox.resetStats();
  });
  afterAll(() => sandbox.close());

  const url = (path: string): string => `${sandbox.urls.catalog}${path}`;

  it('answers normally with no faults', async () => {
    const res = await fetch(url('/products/prd_0001'));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe('prd_0001');
  });

  describe('latency', () => {
    it('delays answers by latencyMs, without blocking other requests', async () => {
      sandbox.faults.set('catalog', { latencyMs: 300 });
      const [responses, elapsed] = await timed(() =>
        Promise.all(Array.from({ length: 10 }, () => fetch(url('/categories')))),
      );
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(290);
      // Ten delayed requests in parallel: a real timer, not a blocking wait.
      expect(elapsed).toBeLessThan(1500);
      await Promise.all(responses.map((r) => r.arrayBuffer()));
    });

    it('adds uniform jitter on top', async () => {
      sandbox.faults.set('catalog', { latencyMs: 50, jitterMs: 300 });
      const times = await Promise.all(
        Array.from({ length: 16 }, async () => {
          const [res, ms] = await timed(() => fetch(url('/categories')));
          await res.arrayBuffer();
          return ms;
        }),
      );
      expect(Math.min(...times)).toBeGreaterThanOrEqual(45);
      expect(Math.max(...times)).toBeLessThan(350 + 500);
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(30);
    });

    it('leaves /health alone', async () => {
      sandbox.faults.set('catalog', { latencyMs: 2000, errorRate: 1, slowBodyMs: 2000 });
      const [res, ms] = await timed(() => fetch(url('/health')));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', service: 'catalog' });
      expect(ms).toBeLessThan(500);
      expect(sandbox.hits('catalog')).toBe(0);
    });

    it('drops the request when the client disconnects during the delay', async () => {
      const orders = sandbox.urls.orders;
      const { items } = (await (
        await fetch(`${orders}/orders?status=pending&pageSize=1`)
      ).json()) as {
        items: { id: string }[];
      };
      const id = items[0].id;
      sandbox.faults.set('orders', { latencyMs: 400 });
      const code = await failureCode(
        fetch(`${orders}/orders/${id}/status`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ status: 'paid' }),
          signal: AbortSignal.timeout(50),
        }),
      );
      expect(code).toMatch(/abort|timeout/i);
      await new Promise((resolve) => setTimeout(resolve, 600));
      sandbox.faults.reset('orders');
      const order = (await (await fetch(`${orders}/orders/${id}`)).json()) as { status: string };
      // The handler never ran: the change was not applied after the timer would have fired.
      expect(order.status).toBe('pending');
      expect(sandbox.hits('orders')).toBe(3);
    });
  });

  describe('errors', () => {
    it('answers errorStatus with a JSON body when errorRate is 1', async () => {
      sandbox.faults.set('catalog', { errorRate: 1, errorStatus: 503 });
      const res = await fetch(url('/products/prd_0001'));
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(await res.json()).toEqual({
        error: 'injected_fault',
        message: 'Injected 503 from the catalog sandbox',
        service: 'catalog',
      });
      expect(sandbox.hits('catalog')).toBe(1);
    });

    it('defaults to 500 and fails about errorRate of the requests', async () => {
      sandbox.faults.set('catalog', { errorRate: 0.5 });
      const statuses: number[] = [];
      for (let batch = 0; batch < 8; batch++) {
        const responses = await Promise.all(
          Array.from({ length: 50 }, () => fetch(url('/categories'))),
        );
        await Promise.all(responses.map((r) => r.arrayBuffer()));
        statuses.push(...responses.map((r) => r.status));
      }
      const failed = statuses.filter((s) => s === 500).length;
      expect(statuses.filter((s) => s !== 500 && s !== 200)).toEqual([]);
      expect(failed).toBeGreaterThan(120);
      expect(failed).toBeLessThan(280);
    });

    it('comes after the latency', async () => {
      sandbox.faults.set('catalog', { latencyMs: 200, errorRate: 1, errorStatus: 502 });
      const [res, ms] = await timed(() => fetch(url('/categories')));
      expect(res.status).toBe(502);
      expect(ms).toBeGreaterThanOrEqual(190);
      await res.arrayBuffer();
    });
  });

  describe('connection resets', () => {
    it('destroys the socket with no response when resetRate is 1', async () => {
      sandbox.faults.set('catalog', { resetRate: 1, latencyMs: 2000 });
      const [code, ms] = await timed(() => failureCode(fetch(url('/categories'))));
      expect(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']).toContain(code);
      // Reset comes before latency.
      expect(ms).toBeLessThan(1000);
      expect(sandbox.hits('catalog')).toBe(1);
      expect((await fetch(url('/health'))).status).toBe(200);
    });

    it('resets about resetRate of the requests', async () => {
      sandbox.faults.set('catalog', { resetRate: 0.5 });
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, () =>
          fetch(url('/categories')).then(
            async (r) => {
              await r.arrayBuffer();
              return r.status;
            },
            () => 'reset',
          ),
        ),
      );
      const resets = outcomes.filter((o) => o === 'reset').length;
      expect(outcomes.filter((o) => o !== 'reset' && o !== 200)).toEqual([]);
      expect(resets).toBeGreaterThan(25);
      expect(resets).toBeLessThan(75);
    });
  });

  describe('slow body', () => {
    it('sends headers at once and trickles the body over slowBodyMs', async () => {
      const expected = await (await fetch(url('/products?pageSize=10'))).text();
      sandbox.faults.set('catalog', { slowBodyMs: 600 });
      const start = performance.now();
      const res = await fetch(url('/products?pageSize=10'));
      const headersAt = performance.now() - start;
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(expected)));
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const chunks: Uint8Array[] = [];
      for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
      const bodyAt = performance.now() - start;
      expect(headersAt).toBeLessThan(300);
      expect(bodyAt).toBeGreaterThanOrEqual(550);
      expect(chunks.length).toBeGreaterThanOrEqual(3);
      expect(Buffer.concat(chunks).toString()).toBe(expected);
    });

    it('does not slow down injected errors', async () => {
      sandbox.faults.set('catalog', { slowBodyMs: 3000, errorRate: 1 });
      const [res, ms] = await timed(async () => {
        const r = await fetch(url('/categories'));
        await r.text();
        return r;
      });
      expect(res.status).toBe(500);
      expect(ms).toBeLessThan(1000);
    });

    it('stops trickling when the client goes away', async () => {
      sandbox.faults.set('catalog', { slowBodyMs: 10_000 });
      const controller = new AbortController();
      const res = await fetch(url('/categories'), { signal: controller.signal });
      expect(res.status).toBe(200);
      controller.abort();
      await expect(res.text()).rejects.toThrow();
      sandbox.faults.reset('catalog');
      expect((await fetch(url('/categories'))).status).toBe(200);
    });
  });
});
