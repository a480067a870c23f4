import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { internalHeaders } from './support/auth';
import { type RunningApp, type Sandbox, startApp, startSandbox } from './support/stack';

/*
 * Rate limits on declarative (pass-through) routes, which are native Fastify routes: the throttling
 * lib's guard runs there without Nest's router, so these prove the same limits apply as on a
 * controller (tier buckets, the route's weight, a tier the route forces, the 429 and its fields).
 */

const BURST = 4;
const PRODUCT = '/products/prd_0001';

describe('Rate limits on pass-through routes', () => {
  let sandbox: Sandbox;
  let web: RunningApp;
  let client = 0;
  /** A client address of its own (X-Forwarded-For is read: the proxy is trusted). */
  const newClient = (): string => `10.30.${Math.floor(++client / 250)}.${client % 250}`;

  beforeAll(async () => {
    sandbox = await startSandbox();
    const file = join(tmpdir(), `bff-route-limits-${process.pid}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        routes: [
          { name: 'light', prefix: '/api/v1/light', service: 'catalog', auth: 'public' },
          {
            name: 'heavy',
            prefix: '/api/v1/heavy',
            service: 'catalog',
            auth: 'public',
            rateLimit: { weight: 2 },
          },
          {
            name: 'forced',
            prefix: '/api/v1/forced',
            service: 'catalog',
            auth: 'public',
            rateLimit: { tier: 'anonymous' },
          },
        ],
      }),
    );
    web = await startApp(createWebBff, sandbox, {
      WEB_BFF_ROUTES_FILE: file,
      TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_STORE: 'memory',
      RATE_LIMIT_ANONYMOUS_BURST: String(BURST),
      // A token comes back every 15 s: no refill within a test.
      RATE_LIMIT_BURST_WINDOW_SECONDS: '60',
    });
  }, 60_000);

  afterAll(async () => {
    await web?.app.close();
    await sandbox?.close();
  });

  const get = async (path: string, ip: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${web.url}${path}`, {
      headers: { 'x-forwarded-for': ip, ...headers },
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  it('takes one token per request from the anonymous burst, then answers 429 with its fields', async () => {
    const ip = newClient();
    for (let i = 0; i < BURST; i++) {
      const ok = await get(`/api/v1/light${PRODUCT}`, ip);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-policy')).toMatch(/^"burst";q=4;w=60/);
      expect(ok.headers.get('ratelimit')).toContain(`r=${BURST - 1 - i}`);
    }
    const refused = await get(`/api/v1/light${PRODUCT}`, ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toMatch(/json/);
    expect(JSON.parse(refused.text)).toMatchObject({ statusCode: 429 });
    // Another client has its own bucket.
    expect((await get(`/api/v1/light${PRODUCT}`, newClient())).status).toBe(200);
  });

  it("charges the route's weight", async () => {
    const ip = newClient();
    expect((await get(`/api/v1/heavy${PRODUCT}`, ip)).status).toBe(200);
    expect((await get(`/api/v1/heavy${PRODUCT}`, ip)).status).toBe(200);
    // 2 x 2 tokens: the burst of 4 is spent; a request of weight 1 is refused too.
    expect((await get(`/api/v1/heavy${PRODUCT}`, ip)).status).toBe(429);
    expect((await get(`/api/v1/light${PRODUCT}`, ip)).status).toBe(429);
  });

  it('limits a caller by the tier the route forces', async () => {
    // An internal service is never limited on a route of its own tier...
    const service = internalHeaders({ sub: 'svc-limits' });
    for (let i = 0; i <= BURST; i++) {
      expect((await get(`/api/v1/light${PRODUCT}`, newClient(), service)).status).toBe(200);
    }
    // ...but gets the anonymous tier's buckets on a route that forces it, keyed by its identity
    // whatever address it calls from.
    const statuses: number[] = [];
    for (let i = 0; i <= BURST; i++) {
      statuses.push((await get(`/api/v1/forced${PRODUCT}`, newClient(), service)).status);
    }
    expect(statuses).toEqual([...Array(BURST).fill(200), 429]);
  });
});
