import { ResilienceRegistry } from '@app/resilience';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { ADMIN_SCOPES, type TestIssuer, startTestIssuer } from './support/auth';
import { type RunningApp, type Sandbox, json, startApp, startSandbox } from './support/stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function timed(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

describe('resilience against the sandbox', () => {
  let sandbox: Sandbox;
  let issuer: TestIssuer;
  /** Every policy is observed alone: no response cache in front, no rate limit. */
  let env: Record<string, string>;
  let asAdmin: () => Record<string, string>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    env = { ...issuer.env, CACHE_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false' };
    asAdmin = () =>
      issuer.headers({
        sub: 'staff_admin',
        roles: ['admin'],
        aud: 'admin-bff',
        scope: ADMIN_SCOPES,
      });
  });

  afterAll(async () => {
    await sandbox?.close();
    await issuer?.close();
  });

  afterEach(async () => {
    sandbox.faults.reset();
    await sandbox.settle();
    sandbox.resetStats();
  });

  describe('circuit breaker (orders: opens after 4 calls at 50 %, 2 probes after 1 s)', () => {
    let admin: RunningApp;

    beforeAll(async () => {
      admin = await startApp(createAdminBff, sandbox, {
        ...env,
        DOWNSTREAM_ORDERS_BREAKER_MIN_CALLS: '4',
        DOWNSTREAM_ORDERS_BREAKER_FAILURE_RATIO: '0.5',
        DOWNSTREAM_ORDERS_BREAKER_HALF_OPEN_AFTER_MS: '1000',
        DOWNSTREAM_ORDERS_BREAKER_HALF_OPEN_PROBES: '2',
        // One attempt per request, so downstream hits count requests.
        DOWNSTREAM_ORDERS_RETRY_MAX_ATTEMPTS: '1',
      });
    });

    afterAll(async () => {
      await admin?.app.close();
    });

    const order = () => fetch(`${admin.url}/orders/ord_00010`, { headers: asAdmin() });
    const circuits = async () =>
      (await json(await fetch(`${admin.url}/ops/circuits`, { headers: asAdmin() }))).services;
    const ordersCircuit = async () =>
      (await circuits()).find((c: { service: string }) => c.service === 'orders');

    /** Fails orders until the breaker opens; returns the number of requests it took. */
    async function openCircuit(): Promise<number> {
      sandbox.faults.set('orders', { errorRate: 1 });
      for (let i = 1; i <= 10; i++) {
        await order();
        if ((await ordersCircuit()).state === 'open') return i;
      }
      throw new Error('the circuit did not open');
    }

    it('opens after the configured minimum, then fails fast with zero downstream hits', async () => {
      sandbox.faults.set('orders', { errorRate: 1 });
      for (let i = 0; i < 3; i++) expect((await order()).status).toBe(502);
      expect((await ordersCircuit()).state).toBe('closed');
      expect((await order()).status).toBe(502);
      expect(sandbox.hits('orders')).toBe(4);
      expect((await ordersCircuit()).state).toBe('open');

      sandbox.faults.reset('orders');
      sandbox.resetStats();
      const started = performance.now();
      for (let i = 0; i < 5; i++) {
        const res = await order();
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(await json(res)).toMatchObject({ code: 'CIRCUIT_OPEN', statusCode: 503 });
      }
      expect(performance.now() - started).toBeLessThan(500);
      expect(sandbox.hits('orders')).toBe(0);

      const snapshot = await ordersCircuit();
      expect(snapshot).toMatchObject({
        state: 'open',
        retryAfterSeconds: 1,
        counters: { shortCircuited: 5 },
        settings: { breaker: { minCalls: 4, halfOpenProbes: 2 } },
      });
      expect(snapshot.counters.failures).toBeGreaterThanOrEqual(4);
      // The other services' circuits are untouched.
      const users = (await circuits()).find((c: { service: string }) => c.service === 'users');
      expect(users.state).toBe('closed');
    });

    it('lets the configured number of probes through when half-open, then recovers', async () => {
      await openCircuit();
      sandbox.faults.reset('orders');
      await sleep(1_100);
      sandbox.resetStats();
      // Probes stay in flight long enough for the other requests to meet the half-open circuit,
      // even when a loaded machine delays the later ones (300 ms was outlasted under load).
      sandbox.faults.set('orders', { latencyMs: 1_200 });
      const results = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          await sleep(i * 20);
          return order();
        }),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 503, 503, 503, 503]);
      expect(sandbox.hits('orders')).toBe(2);
      const refused = results.find((r) => r.status === 503);
      expect(refused?.headers.get('retry-after')).toBe('1');

      expect((await ordersCircuit()).state).toBe('closed');
      sandbox.faults.reset('orders');
      expect((await order()).status).toBe(200);
    });

    it('opens again when a probe fails', async () => {
      await openCircuit();
      await sleep(1_100);
      sandbox.resetStats();
      expect((await order()).status).toBe(502);
      expect(sandbox.hits('orders')).toBe(1);
      const snapshot = await ordersCircuit();
      expect(snapshot.state).toBe('open');
      expect((await order()).status).toBe(503);
      expect(sandbox.hits('orders')).toBe(1);
      // Leave it recovered for the other tests.
      sandbox.faults.reset('orders');
      await sleep(1_100);
      expect((await order()).status).toBe(200);
      expect((await order()).status).toBe(200);
      expect((await ordersCircuit()).state).toBe('closed');
    });
  });

  describe('retries and deadlines (admin-bff, default policies, 1 s deadline)', () => {
    let admin: RunningApp;

    beforeAll(async () => {
      admin = await startApp(createAdminBff, sandbox, {
        ...env,
        BFF_DEADLINE_MS: '1000',
        // Retries alone: the breaker (tested above) must not open on the failures injected here.
        DOWNSTREAM_ORDERS_BREAKER_MIN_CALLS: '1000',
      });
    });

    afterAll(async () => {
      await admin?.app.close();
    });

    it('never retries a PATCH', async () => {
      sandbox.faults.set('orders', { errorRate: 1, errorStatus: 503 });
      const res = await fetch(`${admin.url}/orders/ord_00030/status`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...asAdmin() },
        body: JSON.stringify({ status: 'cancelled' }),
      });
      expect(res.status).toBe(503);
      expect(sandbox.hits('orders')).toBe(1);
    });

    it('retries a GET on 503 up to the limit, sending the budget left on each attempt', async () => {
      sandbox.faults.set('orders', { errorRate: 1, errorStatus: 503 });
      const res = await fetch(`${admin.url}/orders/ord_00031`, { headers: asAdmin() });
      expect(res.status).toBe(503);
      expect((await json(res)).code).toBe('DOWNSTREAM_UNAVAILABLE');
      expect(sandbox.hits('orders')).toBe(3);
      const budgets = sandbox
        .recorded('orders')
        .map((r) => Number(r.headers['x-request-timeout-ms']));
      expect(budgets).toHaveLength(3);
      expect(budgets[0]).toBeLessThanOrEqual(1000);
      expect(budgets[1]).toBeLessThan(budgets[0]);
      expect(budgets[2]).toBeLessThan(budgets[1]);
    });

    it('recovers through retries when a later attempt succeeds', async () => {
      // Half the attempts fail. Without retries about 10 of 20 requests would fail; with 3
      // attempts about 1 in 8 does (fewer than 7 failures: 99.7 %).
      sandbox.faults.set('orders', { errorRate: 0.5, errorStatus: 503 });
      let ok = 0;
      for (let i = 0; i < 20; i++) {
        const id = `ord_${String(60 + i).padStart(5, '0')}`;
        const res = await fetch(`${admin.url}/orders/${id}`, { headers: asAdmin() });
        if (res.status === 200) ok++;
      }
      expect(ok).toBeGreaterThanOrEqual(14);
      expect(sandbox.hits('orders')).toBeGreaterThan(20);
    });

    it('honours the deadline within 10 % when the downstream is slow', async () => {
      sandbox.faults.set('orders', { latencyMs: 3000 });
      const { status, ms } = await timed(`${admin.url}/orders/ord_00050`, asAdmin());
      expect(status).toBe(504);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(1100);
      expect(sandbox.hits('orders')).toBe(1);
    });

    it('never lets retries outlive the deadline', async () => {
      // Each attempt fails after 300 ms: two fit in the 1 s budget with room for the guards (the
      // deadline counts from arrival) and the backoff; a third is cut at the deadline if it starts.
      sandbox.faults.set('orders', { errorRate: 1, errorStatus: 503, latencyMs: 300 });
      const { status, ms } = await timed(`${admin.url}/orders/ord_00051`, asAdmin());
      expect([503, 504]).toContain(status);
      expect(ms).toBeLessThan(1100);
      expect(sandbox.hits('orders')).toBeLessThanOrEqual(3);
      expect(sandbox.hits('orders')).toBeGreaterThanOrEqual(2);
    });
  });

  describe('isolation (web-bff: reviews bulkhead of 4 + 2 queued)', () => {
    let web: RunningApp;

    beforeAll(async () => {
      web = await startApp(createWebBff, sandbox, {
        ...env,
        // Room for the required parts of 30 concurrent product pages on a loaded machine: with 1 s
        // some pages answered 504 (catalog not back in time) in a run beside parallel builds,
        // which says nothing about isolation. The slow reviews (5 s) still outlast it.
        BFF_DEADLINE_MS: '2500',
        // Measures downstream isolation: pages must not be answered from the response cache.
        CACHE_ENABLED: 'false',
        DOWNSTREAM_REVIEWS_BULKHEAD_MAX_CONCURRENT: '4',
        DOWNSTREAM_REVIEWS_BULKHEAD_QUEUE: '2',
      });
    });

    afterAll(async () => {
      await web?.app.close();
    });

    /** The home page only needs the catalog: it must not feel the reviews service. */
    async function homeLatencies(count: number): Promise<number[]> {
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        const { status, ms } = await timed(`${web.url}/home`);
        expect(status).toBe(200);
        out.push(ms);
      }
      return out;
    }

    it.each([
      ['at high latency', { latencyMs: 5000 }],
      ['in an outage', { outage: true }],
    ])('a broken reviews service %s leaves the home page latency unchanged', async (_, fault) => {
      await homeLatencies(5); // warm up
      const baseline = median(await homeLatencies(15));

      sandbox.faults.set('reviews', fault);
      const flood = Promise.all(
        Array.from({ length: 30 }, (_, i) => fetch(`${web.url}/products/prd_00${10 + i}`)),
      );
      await sleep(50);
      const during = await homeLatencies(15);
      const pages = await flood;

      // Product pages still answer (without reviews), and the home page did not slow down.
      expect(pages.map((p) => p.status)).toEqual(pages.map(() => 200));
      expect(median(during)).toBeLessThan(Math.max(baseline * 3, baseline + 40));
      const reviews = web.app.get(ResilienceRegistry).get('reviews')?.snapshot();
      expect(reviews?.bulkhead.maxConcurrent).toBe(4);
      if ('latencyMs' in fault) {
        // Only 4 calls reached the slow service at a time; the rest failed fast.
        expect(reviews?.counters.bulkheadRejections).toBeGreaterThan(0);
        expect(sandbox.hits('reviews')).toBeLessThanOrEqual(12);
      }
    });
  });
});
