import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMobileBff } from '../apps/mobile-bff/src/mobile-bff.app';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { status as grpcStatus } from '@grpc/grpc-js';
import { internalHeaders } from './support/auth';
import { type RunningApp, type Sandbox, json, startApp, startSandbox } from './support/stack';

/** REST-to-gRPC routes of the web BFF under test (apps/web-bff/routes.json has none by default). */
const ROUTES = {
  routes: [
    {
      name: 'stock',
      path: '/api/v1/stock/{product_id}',
      service: 'inventory',
      grpc: { service: 'bff.inventory.v1.InventoryService', method: 'GetStock' },
      methods: ['GET'],
      auth: 'public',
      timeoutMs: 1000,
    },
    {
      name: 'stock-batch',
      path: '/api/v1/stock',
      service: 'inventory',
      grpc: { service: 'bff.inventory.v1.InventoryService', method: 'BatchGetStock' },
      methods: ['GET'],
      auth: 'public',
    },
    {
      name: 'reserve',
      path: '/api/v1/stock/{product_id}/reservations',
      service: 'inventory',
      grpc: { service: 'bff.inventory.v1.InventoryService', method: 'ReserveStock' },
      methods: ['POST'],
      auth: 'public',
    },
  ],
};

describe('gRPC downstreams', () => {
  let sandbox: Sandbox;
  let http: RunningApp;
  let grpc: RunningApp;
  /** Real resilience settings (small), for retries and the breaker. */
  let strict: RunningApp;
  let routesFile: string;
  let overGrpc: Record<string, string>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    routesFile = join(tmpdir(), `bff-grpc-routes-${process.pid}.json`);
    writeFileSync(routesFile, JSON.stringify(ROUTES));
    const common = { CACHE_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false', BFF_DEADLINE_MS: '2000' };
    overGrpc = {
      ...common,
      DOWNSTREAM_INVENTORY_TRANSPORT: 'grpc',
      DOWNSTREAM_INVENTORY_URL: sandbox.grpcUrls.inventory,
      DOWNSTREAM_REVIEWS_TRANSPORT: 'grpc',
      DOWNSTREAM_REVIEWS_URL: sandbox.grpcUrls.reviews,
      WEB_BFF_ROUTES_FILE: routesFile,
    };
    http = await startApp(createWebBff, sandbox, common);
    grpc = await startApp(createWebBff, sandbox, {
      ...overGrpc,
      RESILIENCE_BREAKER_MIN_CALLS: '1000',
      RESILIENCE_RETRY_MAX_ATTEMPTS: '1',
      // A Stock message is about 200 bytes; a batch of 40 is several KiB.
      DOWNSTREAM_INVENTORY_GRPC_MAX_MESSAGE_BYTES: '1024',
      HEALTH_CRITICAL_SERVICES: 'catalog,inventory,reviews',
      HEALTH_CACHE_MS: '0',
    });
    strict = await startApp(createWebBff, sandbox, {
      ...overGrpc,
      // The retry test's first five attempts fail below the minimum; the sixth opens it.
      RESILIENCE_BREAKER_MIN_CALLS: '6',
      RESILIENCE_BREAKER_HALF_OPEN_AFTER_MS: '60000',
      RESILIENCE_RETRY_MAX_ATTEMPTS: '3',
      RESILIENCE_RETRY_BASE_DELAY_MS: '1',
      RESILIENCE_RETRY_MAX_DELAY_MS: '5',
    });
  });

  afterAll(async () => {
    await strict?.app.close();
    await grpc?.app.close();
    await http?.app.close();
    await sandbox?.close();
  });

  afterEach(async () => {
    sandbox.faults.reset();
    await sandbox.settle();
    sandbox.resetStats();
  });

  it('serves the product page over gRPC equal to the HTTP one', async () => {
    for (const id of ['prd_0001', 'prd_0002', 'prd_0007']) {
      const [a, b] = await Promise.all([
        fetch(`${http.url}/products/${id}`),
        fetch(`${grpc.url}/products/${id}`),
      ]);
      expect(b.status).toBe(200);
      const body = await json(b);
      expect(body.meta.partial).toEqual([]);
      expect(body).toEqual(await json(a));
    }
    // Both answers came over gRPC on the gRPC BFF: one RPC each per page.
    const rpcs = (service: 'inventory' | 'reviews') =>
      sandbox
        .recorded(service)
        .filter((r) => r.method === 'POST')
        .map((r) => r.url);
    expect(rpcs('inventory')).toEqual(Array(3).fill('/bff.inventory.v1.InventoryService/GetStock'));
    expect(rpcs('reviews')).toEqual(
      Array(3).fill('/bff.reviews.v1.ReviewsService/GetReviewSummary'),
    );
  });

  it('serves the mobile product pages over gRPC equal to the HTTP ones', async () => {
    const common = { CACHE_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false', BFF_DEADLINE_MS: '2000' };
    const mobileHttp = await startApp(createMobileBff, sandbox, common);
    const mobileGrpc = await startApp(createMobileBff, sandbox, {
      ...common,
      DOWNSTREAM_INVENTORY_TRANSPORT: 'grpc',
      DOWNSTREAM_INVENTORY_URL: sandbox.grpcUrls.inventory,
      DOWNSTREAM_REVIEWS_TRANSPORT: 'grpc',
      DOWNSTREAM_REVIEWS_URL: sandbox.grpcUrls.reviews,
    });
    try {
      for (const path of ['/v1/products/prd_0001', '/v2/products/prd_0002']) {
        const [a, b] = await Promise.all([
          fetch(`${mobileHttp.url}${path}`),
          fetch(`${mobileGrpc.url}${path}`),
        ]);
        expect(b.status).toBe(200);
        expect(await json(b)).toEqual(await json(a));
      }
      expect(sandbox.recorded('reviews').filter((r) => r.peer !== undefined)).toHaveLength(2);
    } finally {
      await mobileGrpc.app.close();
      await mobileHttp.app.close();
    }
  });

  it('sends the request id, the traceparent and the verified user context as metadata', async () => {
    const res = await fetch(`${grpc.url}/products/prd_0003`, {
      headers: {
        ...internalHeaders({ sub: 'usr_0042', roles: ['customer'] }),
        'x-request-id': 'grpc-meta-1',
        // A client's identity claim never passes, over gRPC either.
        'x-user-id': 'usr_forged',
      },
    });
    expect(res.status).toBe(200);
    const [rpc] = sandbox.recorded('inventory');
    expect(rpc.url).toBe('/bff.inventory.v1.InventoryService/GetStock');
    expect(rpc.headers).toMatchObject({
      'x-request-id': 'grpc-meta-1',
      traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/),
      'x-user-id': 'usr_0042',
    });
    // The budget travels as the gRPC deadline (grpc-timeout), not as the HTTP budget header.
    expect(rpc.headers['x-request-timeout-ms']).toBeUndefined();
  });

  it('leaves a part out when its RPC outlives the deadline, and the server sees the cancellation', async () => {
    sandbox.faults.set('reviews', { latencyMs: 10_000 });
    const started = performance.now();
    const res = await fetch(`${grpc.url}/products/prd_0004`);
    expect(res.status).toBe(200);
    expect((await json(res)).meta.partial).toEqual(['reviews']);
    expect(performance.now() - started).toBeLessThan(5_000);
    const deadline = Date.now() + 10_000;
    while (sandbox.cancellations('reviews') === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sandbox.cancellations('reviews')).toBe(1);
  });

  it('is ready by grpc.health.v1 of its gRPC downstreams, and not while one is down', async () => {
    // The inventory and reviews URLs are gRPC ports: an HTTP GET /health could not succeed there.
    const ready = await fetch(`${grpc.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await json(ready)).checks).toMatchObject({
      inventory: { status: 'up' },
      reviews: { status: 'up' },
    });
    sandbox.faults.set('reviews', { outage: true });
    await sandbox.settle();
    const down = await fetch(`${grpc.url}/health/ready`);
    expect(down.status).toBe(503);
    expect((await json(down)).checks).toMatchObject({
      inventory: { status: 'up' },
      reviews: { status: 'down' },
    });
  });

  it('balances calls over several gRPC instances and leaves out one that is down', async () => {
    const second = await startSandbox();
    const balanced = await startApp(createWebBff, sandbox, {
      CACHE_ENABLED: 'false',
      RATE_LIMIT_ENABLED: 'false',
      BFF_DEADLINE_MS: '2000',
      DOWNSTREAM_INVENTORY_TRANSPORT: 'grpc',
      DOWNSTREAM_INVENTORY_URL: `${sandbox.grpcUrls.inventory},${second.grpcUrls.inventory}`,
      DOWNSTREAM_INVENTORY_EJECT_AFTER: '2',
      DOWNSTREAM_INVENTORY_EJECT_MS: '60000',
      RESILIENCE_BREAKER_MIN_CALLS: '1000',
    });
    try {
      const page = async () => {
        const res = await fetch(`${balanced.url}/products/prd_0005`);
        expect(res.status).toBe(200);
        return (await json(res)).meta.partial;
      };
      for (let i = 0; i < 4; i++) expect(await page()).toEqual([]);
      expect([sandbox.hits('inventory'), second.hits('inventory')]).toEqual([2, 2]);
      // One instance down: its failed attempts are retried on the other, then it is ejected.
      second.faults.set('inventory', { outage: true });
      await second.settle();
      for (let i = 0; i < 6; i++) expect(await page()).toEqual([]);
      sandbox.resetStats();
      for (let i = 0; i < 4; i++) expect(await page()).toEqual([]);
      expect(sandbox.hits('inventory')).toBe(4);
    } finally {
      await balanced.app.close();
      await second.close();
    }
  });

  it('answers 503 when the bulkhead of the service is full, without calling it', async () => {
    const narrow = await startApp(createWebBff, sandbox, {
      ...overGrpc,
      DOWNSTREAM_INVENTORY_BULKHEAD_MAX_CONCURRENT: '1',
      DOWNSTREAM_INVENTORY_BULKHEAD_QUEUE: '0',
    });
    try {
      // Long enough that the second request arrives while the first holds the only slot (the
      // batch route has the 2 s endpoint deadline, not the 1 s of the single-stock route).
      sandbox.faults.set('inventory', { latencyMs: 1200 });
      const [a, b] = await Promise.all([
        fetch(`${narrow.url}/api/v1/stock?productIds=prd_0001`),
        fetch(`${narrow.url}/api/v1/stock?productIds=prd_0002`),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 503]);
      const refused = a.status === 503 ? a : b;
      expect(await json(refused)).toMatchObject({ code: 'DOWNSTREAM_SATURATED' });
      expect(sandbox.hits('inventory')).toBe(1);
    } finally {
      await narrow.app.close();
    }
  });

  describe('REST to gRPC on routes.json', () => {
    const rest = (app: RunningApp, path: string, init?: RequestInit) =>
      fetch(`${app.url}${path}`, init);
    const post = (app: RunningApp, path: string, body: string, type = 'application/json') =>
      rest(app, path, { method: 'POST', headers: { 'content-type': type }, body });

    it('maps path parameters, the query and the body into the message, and the answer to proto3 JSON', async () => {
      const res = await rest(grpc, '/api/v1/stock/prd_0001');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const direct = await json(await fetch(`${sandbox.urls.inventory}/inventory/prd_0001`));
      expect(await json(res)).toEqual(direct);

      const batch = await rest(
        grpc,
        '/api/v1/stock?productIds=prd_0001&product_ids=prd_0002,prd_9999',
      );
      expect(batch.status).toBe(200);
      expect((await json(batch)).items.map((i: { productId: string }) => i.productId)).toEqual([
        'prd_0001',
        'prd_0002',
      ]);

      const reserved = await post(
        grpc,
        '/api/v1/stock/prd_0001/reservations',
        '{"quantity":1,"order_id":"ord_00001"}',
      );
      expect(reserved.status).toBe(200);
      expect(await json(reserved)).toEqual({
        reservationId: expect.stringMatching(/^rsv_\d{6}$/),
        productId: 'prd_0001',
        quantity: 1,
      });
    });

    it.each([
      [
        'an unknown query parameter',
        () => rest(grpc, '/api/v1/stock/prd_0001?colour=red'),
        /unknown field/,
      ],
      [
        'a field given twice',
        () => rest(grpc, '/api/v1/stock/prd_0001?productId=prd_0002'),
        /given twice/,
      ],
      [
        'an unknown body field',
        () => post(grpc, '/api/v1/stock/prd_0001/reservations', '{"quantity":1,"colour":"red"}'),
        /unknown field body.colour/,
      ],
      [
        'a string for an integer',
        () => post(grpc, '/api/v1/stock/prd_0001/reservations', '{"quantity":"lots"}'),
        /body.quantity must be an integer/,
      ],
      [
        'a body that is not an object',
        () => post(grpc, '/api/v1/stock/prd_0001/reservations', '[1]'),
        /body must be an object/,
      ],
      [
        'a body that is not JSON',
        () => post(grpc, '/api/v1/stock/prd_0001/reservations', '{"quantity":', 'application/json'),
        /not valid JSON/,
      ],
      [
        'a body of another type',
        () =>
          post(
            grpc,
            '/api/v1/stock/prd_0001/reservations',
            'quantity=1',
            'application/x-www-form-urlencoded',
          ),
        /must be JSON/,
      ],
    ])(
      'answers 400 INVALID_REQUEST to %s, without calling the service',
      async (_name, send, message) => {
        const res = await send();
        expect(res.status).toBe(400);
        const body = await json(res);
        expect(body).toMatchObject({
          statusCode: 400,
          code: 'INVALID_REQUEST',
          message: expect.stringMatching(message),
        });
        expect(sandbox.hits('inventory')).toBe(0);
      },
    );

    it('answers 405 with Allow to a method the route does not take', async () => {
      const res = await rest(grpc, '/api/v1/stock/prd_0001/reservations');
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    });
  });

  describe('status mapping', () => {
    const stock = (app: RunningApp) => fetch(`${app.url}/api/v1/stock/prd_0001`);

    it.each([
      [grpcStatus.PERMISSION_DENIED, 502, 'BAD_UPSTREAM_RESPONSE'],
      [grpcStatus.UNAUTHENTICATED, 502, 'BAD_UPSTREAM_RESPONSE'],
      [grpcStatus.INTERNAL, 502, 'BAD_UPSTREAM_RESPONSE'],
      [grpcStatus.UNKNOWN, 502, 'BAD_UPSTREAM_RESPONSE'],
      [grpcStatus.UNIMPLEMENTED, 502, 'BAD_UPSTREAM_RESPONSE'],
      [grpcStatus.RESOURCE_EXHAUSTED, 502, 'BAD_UPSTREAM_RESPONSE'],
      [grpcStatus.DEADLINE_EXCEEDED, 504, 'DEADLINE_EXCEEDED'],
    ])(
      'maps gRPC status %s to %s, nothing of the downstream leaking',
      async (code, status, errorCode) => {
        sandbox.faults.set('inventory', { errorRate: 1, grpcStatus: code });
        const res = await stock(grpc);
        expect(res.status).toBe(status);
        const body = await json(res);
        expect(body).toMatchObject({ statusCode: status, code: errorCode });
        expect(JSON.stringify(body)).not.toMatch(/Injected|sandbox/);
      },
    );

    it('maps UNAVAILABLE to 503 with Retry-After', async () => {
      sandbox.faults.set('inventory', { errorRate: 1, grpcStatus: grpcStatus.UNAVAILABLE });
      const res = await stock(grpc);
      expect(res.status).toBe(503);
      expect(await json(res)).toMatchObject({ code: 'DOWNSTREAM_UNAVAILABLE' });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('mirrors NOT_FOUND, and INVALID_ARGUMENT / FAILED_PRECONDITION on a route whose contract the BFF owns', async () => {
      expect((await fetch(`${grpc.url}/api/v1/stock/prd_9999`)).status).toBe(404);
      const malformed = await fetch(`${grpc.url}/api/v1/stock/a%20b`);
      expect(malformed.status).toBe(400);
      expect(await json(malformed)).toMatchObject({ code: 'REJECTED_BY_DOWNSTREAM' });
      const tooMany = await fetch(`${grpc.url}/api/v1/stock/prd_0001/reservations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ quantity: 1_000_000 }),
      });
      expect(tooMany.status).toBe(409);
    });

    it('answers 504 when the deadline runs out mid-call, and the server sees the cancellation', async () => {
      sandbox.faults.set('inventory', { latencyMs: 10_000 });
      const started = performance.now();
      const res = await stock(grpc);
      expect(res.status).toBe(504);
      expect(await json(res)).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
      // The route's timeoutMs is 1000.
      expect(performance.now() - started).toBeLessThan(3_000);
      const deadline = Date.now() + 10_000;
      while (sandbox.cancellations('inventory') === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(sandbox.cancellations('inventory')).toBe(1);
    });

    it('answers 502 to a message over DOWNSTREAM_<NAME>_GRPC_MAX_MESSAGE_BYTES', async () => {
      const ids = Array.from({ length: 40 }, (_, i) => `prd_${String(i + 1).padStart(4, '0')}`);
      const res = await fetch(`${grpc.url}/api/v1/stock?productIds=${ids.join(',')}`);
      expect(res.status).toBe(502);
      expect(await json(res)).toMatchObject({ code: 'BAD_UPSTREAM_RESPONSE' });
      // The same call within the limit works.
      expect((await fetch(`${grpc.url}/api/v1/stock?productIds=prd_0001`)).status).toBe(200);
    });

    it('retries UNAVAILABLE for idempotent RPCs only, within the budget, then the breaker opens', async () => {
      sandbox.faults.set('inventory', { errorRate: 1, grpcStatus: grpcStatus.UNAVAILABLE });
      // GetStock is NO_SIDE_EFFECTS: three attempts.
      expect((await stock(strict)).status).toBe(503);
      expect(sandbox.hits('inventory')).toBe(3);
      // ReserveStock is not idempotent: one attempt, whatever the failure.
      sandbox.resetStats();
      const reserve = await fetch(`${strict.url}/api/v1/stock/prd_0001/reservations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"quantity":1}',
      });
      expect(reserve.status).toBe(503);
      expect(sandbox.hits('inventory')).toBe(1);
      // INTERNAL counts against the service but is never retried.
      sandbox.faults.set('inventory', { grpcStatus: grpcStatus.INTERNAL });
      sandbox.resetStats();
      expect((await stock(strict)).status).toBe(502);
      expect(sandbox.hits('inventory')).toBe(1);
      // Enough failures: the circuit opens and calls stop reaching the service.
      sandbox.faults.set('inventory', { grpcStatus: grpcStatus.UNAVAILABLE });
      let open: Response | undefined;
      for (let i = 0; i < 20 && open === undefined; i++) {
        const res = await stock(strict);
        if ((await json(res.clone())).code === 'CIRCUIT_OPEN') open = res;
      }
      expect(open?.status).toBe(503);
      expect(Number(open?.headers.get('retry-after'))).toBeGreaterThan(0);
      sandbox.resetStats();
      expect((await json(await stock(strict))).code).toBe('CIRCUIT_OPEN');
      expect(sandbox.hits('inventory')).toBe(0);
    });
  });
});
