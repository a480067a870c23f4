import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { loadConfig } from '@app/config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'prom-client';
import { bearer, internalToken } from './support/auth';
import { type ServedDouble, serveDouble } from './support/downstream-doubles';
import { type RecordingDownstream, startRecordingDownstream } from './support/recording-downstream';
import {
  type RunningApp,
  type Sandbox,
  json,
  sandboxEnv,
  startApp,
  startSandbox,
} from './support/stack';

/** Policies of the other libs off: these tests look at the route policies alone. */
const BARE = { RATE_LIMIT_ENABLED: 'false', RESILIENCE_ENABLED: 'false', CACHE_ENABLED: 'false' };

/** A legacy service: snake_case JSON orders, XML stock. */
function startLegacyDownstream(): Promise<ServedDouble> {
  return serveDouble((req, res) => {
    req.resume();
    if (req.url?.startsWith('/orders/')) {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-legacy-version', '7');
      res.end(
        JSON.stringify({
          order_id: 'ord_00001',
          line_items: [{ sku_code: 'prd_0001', unit_price: 12.5 }],
          internal_notes: 'do not show',
        }),
      );
    } else if (req.url?.startsWith('/stock/')) {
      res.setHeader('content-type', 'application/xml');
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><stock_level warehouse="ber_1"><sku_code>prd_0001</sku_code><on_hand>42</on_hand><cost_price>3.2</cost_price></stock_level>',
      );
    } else if (req.url?.startsWith('/broken/')) {
      res.setHeader('content-type', 'application/json');
      res.end('{"order_id": ');
    } else {
      res.writeHead(404).end();
    }
  });
}

const authorizerCalls = (sandbox: Sandbox): number =>
  sandbox.recorded('users').filter((r) => r.url === '/authorize').length;

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await register.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('declarative route policies (validate, transform, authorize)', () => {
  let sandbox: Sandbox;
  let recorder: RecordingDownstream;
  let legacy: ServedDouble;
  let web: RunningApp;
  let routes: string;
  const caller = bearer(internalToken({ sub: 'usr_0042', org_id: 'org_7', roles: ['customer'] }));

  beforeAll(async () => {
    [sandbox, recorder, legacy] = await Promise.all([
      startSandbox(),
      startRecordingDownstream(),
      startLegacyDownstream(),
    ]);
    // Schemas live next to routes.json, as in an app's directory.
    const dir = mkdtempSync(join(tmpdir(), 'bff-route-policies-'));
    writeFileSync(
      join(dir, 'checkout.schema.json'),
      JSON.stringify({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        required: ['sku', 'quantity'],
        properties: {
          sku: { type: 'string', pattern: '^prd_[0-9]{4}$' },
          quantity: { type: 'integer', minimum: 1, maximum: 10 },
          email: { type: 'string', format: 'email' },
        },
        additionalProperties: false,
      }),
    );
    writeFileSync(
      join(dir, 'checkout-query.schema.json'),
      JSON.stringify({
        type: 'object',
        properties: { dryRun: { type: 'boolean' } },
        additionalProperties: false,
      }),
    );
    routes = join(dir, 'routes.json');
    const guarded = (name: string, extra: Record<string, unknown>) => ({
      name,
      prefix: `/api/v1/${name}`,
      service: 'recorder',
      methods: ['GET', 'POST'],
      ...extra,
    });
    writeFileSync(
      routes,
      JSON.stringify({
        routes: [
          {
            name: 'checkout',
            prefix: '/api/v1/checkout',
            service: 'recorder',
            methods: ['POST'],
            validate: {
              body: 'checkout.schema.json',
              query: 'checkout-query.schema.json',
              path: {
                type: 'array',
                prefixItems: [{ const: 'carts' }, { type: 'string', pattern: '^crt_[0-9]{3}$' }],
                minItems: 2,
                maxItems: 2,
              },
            },
          },
          {
            // The seed's mapping-template example: flatten the client payload, enrich from the token.
            name: 'orders-v2',
            prefix: '/api/v2/orders',
            service: 'recorder',
            rewrite: '/orders',
            methods: ['POST'],
            transform: {
              request: [
                { op: 'header.set', name: 'X-Tenant', from: 'principal.org_id' },
                { op: 'header.set', name: 'X-Caller-Tier', from: 'principal.tier' },
                { op: 'header.add', name: 'X-Channel', value: 'web' },
                { op: 'header.remove', name: 'X-Debug' },
                { op: 'header.rename', name: 'X-Client-Ref', to: 'X-Reference' },
                { op: 'query.set', name: 'source', value: 'bff' },
                { op: 'query.rename', name: 'q', to: 'search' },
                { op: 'query.remove', name: 'debug' },
                { op: 'body.move', from: '/order/customer/id', path: '/customerId' },
                { op: 'body.move', from: '/order/items', path: '/items' },
                { op: 'body.remove', path: '/order' },
                { op: 'body.rename', path: '/note', to: 'comment' },
                { op: 'body.add', path: '/placedBy', from: 'principal.sub' },
                { op: 'body.add', path: '/requestId', from: 'request.id' },
                { op: 'body.case', to: 'snake' },
              ],
            },
          },
          {
            name: 'legacy-orders',
            prefix: '/api/v1/legacy-orders',
            service: 'legacy',
            rewrite: '/orders',
            auth: 'public',
            maxResponseBytes: 1024 * 1024,
            transform: {
              response: [
                { op: 'body.case', to: 'camel' },
                { op: 'body.remove', path: '/internalNotes' },
                { op: 'header.rename', name: 'X-Legacy-Version', to: 'X-Api-Version' },
              ],
            },
          },
          {
            name: 'legacy-broken',
            prefix: '/api/v1/legacy-broken',
            service: 'legacy',
            rewrite: '/broken',
            auth: 'public',
            maxResponseBytes: 1024 * 1024,
            transform: { response: [{ op: 'body.case', to: 'camel' }] },
          },
          {
            name: 'legacy-stock',
            prefix: '/api/v1/legacy-stock',
            service: 'legacy',
            rewrite: '/stock',
            maxResponseBytes: 1024 * 1024,
            transform: {
              response: [
                { op: 'body.xml' },
                { op: 'body.case', to: 'camel' },
                { op: 'body.move', from: '/stockLevel', path: '/stock' },
                // The mobile app gets only what it shows (strip-fields per client).
                {
                  op: 'body.allow',
                  paths: ['/stock/skuCode', '/stock/onHand'],
                  clients: ['mobile-app'],
                },
                { op: 'body.deny', paths: ['/stock/costPrice'] },
              ],
            },
          },
          guarded('guarded', {
            authorize: {
              service: 'permissions',
              path: '/authorize',
              headers: ['X-Device-Id'],
              cacheTtlSeconds: 60,
            },
          }),
          guarded('guarded-strict', {
            authorize: { service: 'permissions', path: '/authorize', cacheTtlSeconds: 0 },
          }),
          guarded('guarded-open', {
            authorize: {
              service: 'permissions',
              path: '/authorize',
              cacheTtlSeconds: 0,
              failureMode: 'open',
            },
          }),
        ],
      }),
    );
    web = await startApp(createWebBff, sandbox, { ...BARE, ...services() });
  }, 30_000);

  /** The registry of every app of this spec: the sandbox, the doubles and the authorizer. */
  const services = () => ({
    DOWNSTREAM_SERVICES: 'users,orders,catalog,inventory,reviews,recorder,legacy,permissions',
    DOWNSTREAM_RECORDER_URL: recorder.url,
    DOWNSTREAM_LEGACY_URL: legacy.url,
    DOWNSTREAM_PERMISSIONS_URL: sandbox.urls.users,
    DOWNSTREAM_PERMISSIONS_TIMEOUT_MS: '300',
    WEB_BFF_ROUTES_FILE: routes,
  });

  afterAll(async () => {
    await web?.app.close();
    await Promise.all([sandbox?.close(), recorder?.close(), legacy?.close()]);
  }, 20_000);

  afterEach(async () => {
    sandbox.faults.reset();
    await sandbox.settle();
    sandbox.resetStats();
    recorder.reset();
  });

  describe('validate', () => {
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(`${web.url}/api/v1/checkout${path}`, {
        method: 'POST',
        headers: { ...caller, 'content-type': type },
        body,
      });

    it('passes a valid request through unchanged', async () => {
      const body = JSON.stringify({ sku: 'prd_0001', quantity: 2, email: 'a@example.com' });
      const res = await post('/carts/crt_001?dryRun=true', body);
      expect(res.status).toBe(200);
      expect(recorder.calls).toHaveLength(1);
      expect(recorder.calls[0].url).toBe('/carts/crt_001?dryRun=true');
      expect(recorder.calls[0].body).toBe(body);
    });

    it.each([
      [
        'a wrong type and a bad pattern',
        '/carts/crt_001',
        { sku: 'nope', quantity: 'two' },
        [
          { in: 'body', path: '/sku', message: 'must match pattern "^prd_[0-9]{4}$"' },
          { in: 'body', path: '/quantity', message: 'must be integer' },
        ],
      ],
      [
        'a missing field',
        '/carts/crt_001',
        { sku: 'prd_0001' },
        [{ in: 'body', path: '', message: 'must have property "quantity"' }],
      ],
      [
        'an unknown field and a bad format',
        '/carts/crt_001',
        { sku: 'prd_0001', quantity: 1, email: 'not-an-email', coupon: 'FREE' },
        [
          { in: 'body', path: '', message: 'must not have property "coupon"' },
          { in: 'body', path: '/email', message: 'must match format "email"' },
        ],
      ],
      [
        'a value out of range',
        '/carts/crt_001',
        { sku: 'prd_0001', quantity: 11 },
        [{ in: 'body', path: '/quantity', message: 'must be <= 10' }],
      ],
      [
        'a bad query parameter',
        '/carts/crt_001?dryRun=maybe&x=1',
        { sku: 'prd_0001', quantity: 1 },
        [
          { in: 'query', path: '', message: 'must not have property "x"' },
          { in: 'query', path: '/dryRun', message: 'must be boolean' },
        ],
      ],
      [
        'a bad path parameter',
        '/carts/cart-1',
        { sku: 'prd_0001', quantity: 1 },
        [{ in: 'path', path: '/1', message: 'must match pattern "^crt_[0-9]{3}$"' }],
      ],
    ])(
      'refuses %s with 400, the violations, and no downstream call',
      async (_, path, body, details) => {
        const before = await counter('bff_route_validation_rejections_total', {
          route: 'checkout',
        });
        const res = await post(path, JSON.stringify(body));
        expect(res.status).toBe(400);
        const error = await json(res);
        expect(error).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
        expect(error.details).toEqual(details);
        expect(recorder.hits()).toBe(0);
        expect(
          await counter('bff_route_validation_rejections_total', { route: 'checkout' }),
        ).toBeGreaterThan(before);
      },
    );

    it('bounds the list of violations', async () => {
      const schemaBreaker = Object.fromEntries(
        Array.from({ length: 30 }, (_, i) => [`extra${i}`, i]),
      );
      const res = await post('/carts/crt_001', JSON.stringify(schemaBreaker));
      expect(res.status).toBe(400);
      const error = await json(res);
      expect(error.details).toHaveLength(10);
      expect(error.message).toMatch(/more than 10 violations/);
      expect(recorder.hits()).toBe(0);
    });

    it('refuses a body nested deeper than BFF_JSON_MAX_DEPTH before parsing it', async () => {
      const deep = `${'{"a":'.repeat(200)}1${'}'.repeat(200)}`;
      const res = await post('/carts/crt_001', deep);
      expect(res.status).toBe(400);
      expect((await json(res)).code).toBe('BODY_TOO_DEEP');
      expect(recorder.hits()).toBe(0);
    });

    it('refuses a body that is not JSON (400), not declared JSON (415) or missing (400)', async () => {
      const broken = await post('/carts/crt_001', '{"sku": ');
      expect(broken.status).toBe(400);
      expect((await json(broken)).code).toBe('INVALID_JSON');
      const text = await post('/carts/crt_001', 'sku=prd_0001', 'text/plain');
      expect(text.status).toBe(415);
      expect((await json(text)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
      const empty = await post('/carts/crt_001', '');
      expect(empty.status).toBe(400);
      expect((await json(empty)).details).toEqual([
        { in: 'body', path: '', message: 'a JSON body is required' },
      ]);
      expect(recorder.hits()).toBe(0);
    });
  });

  describe('transform', () => {
    it('delivers exactly the mapped request: flattened body, headers and query from the token', async () => {
      const res = await fetch(`${web.url}/api/v2/orders?q=shoes&debug=1`, {
        method: 'POST',
        headers: {
          ...caller,
          'content-type': 'application/json',
          'x-request-id': 'map-test-1',
          'x-tenant': 'org_forged',
          'x-debug': 'yes',
          'x-client-ref': 'ref-9',
        },
        body: JSON.stringify({
          order: { customer: { id: 'usr_0042' }, items: [{ skuCode: 'prd_0001', qty: 2 }] },
          note: 'leave at the door',
        }),
      });
      expect(res.status).toBe(200);
      expect(recorder.calls).toHaveLength(1);
      const call = recorder.calls[0];
      expect(call.url).toBe('/orders?source=bff&search=shoes');
      expect(JSON.parse(call.body)).toEqual({
        customer_id: 'usr_0042',
        items: [{ sku_code: 'prd_0001', qty: 2 }],
        comment: 'leave at the door',
        placed_by: 'usr_0042',
        request_id: 'map-test-1',
      });
      expect(call.headers).toMatchObject({
        'x-tenant': 'org_7',
        // Internal (HS256) callers are always of the internal tier.
        'x-caller-tier': 'internal',
        'x-channel': 'web',
        'x-reference': 'ref-9',
        'x-org-id': 'org_7',
        'x-user-id': 'usr_0042',
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(call.body)),
      });
      expect(call.headers['x-debug']).toBeUndefined();
      expect(call.headers['x-client-ref']).toBeUndefined();
    });

    it('answers a snake_case downstream in camelCase JSON', async () => {
      const res = await fetch(`${web.url}/api/v1/legacy-orders/ord_00001`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-api-version')).toBe('7');
      expect(res.headers.get('x-legacy-version')).toBeNull();
      expect(await json(res)).toEqual({
        orderId: 'ord_00001',
        lineItems: [{ skuCode: 'prd_0001', unitPrice: 12.5 }],
      });
    });

    it('answers an XML downstream in camelCase JSON, stripped per client', async () => {
      const web1 = await fetch(`${web.url}/api/v1/legacy-stock/prd_0001`, { headers: caller });
      expect(web1.status).toBe(200);
      expect(web1.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await json(web1)).toEqual({
        stock: { warehouse: 'ber_1', skuCode: 'prd_0001', onHand: 42 },
      });
      const mobile = await fetch(`${web.url}/api/v1/legacy-stock/prd_0001`, {
        headers: bearer(internalToken({ sub: 'usr_0042', client_id: 'mobile-app' })),
      });
      expect(await json(mobile)).toEqual({ stock: { skuCode: 'prd_0001', onHand: 42 } });
    });

    it('turns an answer that cannot be transformed into a 502, counted', async () => {
      const before = await counter('bff_route_transform_errors_total', {
        route: 'legacy-broken',
        direction: 'response',
      });
      const res = await fetch(`${web.url}/api/v1/legacy-broken/1`);
      expect(res.status).toBe(502);
      expect((await json(res)).code).toBe('BAD_UPSTREAM_RESPONSE');
      expect(
        await counter('bff_route_transform_errors_total', {
          route: 'legacy-broken',
          direction: 'response',
        }),
      ).toBe(before + 1);
    });
  });

  describe('bad configuration', () => {
    it.each([
      [
        'an unknown operation',
        { transform: { request: [{ op: 'body.explode', path: '/a' }] } },
        /route "bad": transform.request\[0\]: unknown operation "body.explode"/,
      ],
      [
        'a bad JSON Pointer',
        { transform: { response: [{ op: 'body.remove', path: 'a/b' }] }, maxResponseBytes: 1024 },
        /route "bad": transform.response\[0\].path is not a JSON Pointer/,
      ],
      [
        'an invalid schema',
        { validate: { body: { type: 'object', properties: { a: { minimum: 'one' } } } } },
        /route "bad": validate.body: invalid JSON Schema/,
      ],
      [
        'a schema file that is missing',
        { validate: { query: 'nowhere.schema.json' } },
        /route "bad": validate.query: schema file nowhere.schema.json cannot be read \(ENOENT\)/,
      ],
    ])('stops start-up on %s, naming the route and the problem', async (_, policy, message) => {
      const dir = mkdtempSync(join(tmpdir(), 'bff-bad-policies-'));
      const file = join(dir, 'routes.json');
      writeFileSync(
        file,
        JSON.stringify({
          routes: [{ name: 'bad', prefix: '/api/bad', service: 'catalog', ...policy }],
        }),
      );
      const config = loadConfig(sandboxEnv(sandbox, { ...BARE, WEB_BFF_ROUTES_FILE: file }));
      // Thrown while the module is built (the table is read by RoutingModule.forRoot).
      await expect(async () => createWebBff(config)).rejects.toThrow(message);
    });
  });

  describe('authorize', () => {
    it('allows, adds the authorizer headers, and caches the decision', async () => {
      const hitsBefore = await counter('bff_route_authorizer_decisions_total', {
        route: 'guarded',
        decision: 'allow',
        source: 'cache',
      });
      const first = await fetch(`${web.url}/api/v1/guarded/items`, { headers: caller });
      expect(first.status).toBe(200);
      expect(recorder.calls[0].headers['x-permission-level']).toBe('read');
      const asked = sandbox.recorded('users').find((r) => r.url === '/authorize');
      expect(asked?.method).toBe('POST');
      for (let i = 0; i < 3; i++) {
        const again = await fetch(`${web.url}/api/v1/guarded/items/${i}`, { headers: caller });
        expect(again.status).toBe(200);
      }
      expect(authorizerCalls(sandbox)).toBe(1);
      expect(recorder.hits()).toBe(4);
      expect(recorder.calls[3].headers['x-permission-level']).toBe('read');
      expect(
        await counter('bff_route_authorizer_decisions_total', {
          route: 'guarded',
          decision: 'allow',
          source: 'cache',
        }),
      ).toBe(hitsBefore + 3);
    });

    it('denies with 403 and never calls the service; a chosen header is part of the question', async () => {
      const write = await fetch(`${web.url}/api/v1/guarded/items`, {
        method: 'POST',
        headers: { ...caller, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(write.status).toBe(403);
      expect((await json(write)).code).toBe('ACCESS_DENIED');
      const blocked = await fetch(`${web.url}/api/v1/guarded/items`, {
        headers: { ...caller, 'x-device-id': 'dev-blocked' },
      });
      expect(blocked.status).toBe(403);
      expect(recorder.hits()).toBe(0);
      expect(authorizerCalls(sandbox)).toBe(2);
      // The denial is cached too.
      const again = await fetch(`${web.url}/api/v1/guarded/items`, {
        headers: { ...caller, 'x-device-id': 'dev-blocked' },
      });
      expect(again.status).toBe(403);
      expect(authorizerCalls(sandbox)).toBe(2);
    });

    it('asks every time without a cache TTL', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${web.url}/api/v1/guarded-strict/x`, { headers: caller });
        expect(res.status).toBe(200);
      }
      expect(authorizerCalls(sandbox)).toBe(2);
    });

    it('fails closed when the authorizer times out or errors (503), within its own deadline', async () => {
      sandbox.faults.set('users', { latencyMs: 3_000 });
      const started = performance.now();
      const slow = await fetch(`${web.url}/api/v1/guarded-strict/x`, { headers: caller });
      expect(slow.status).toBe(503);
      expect((await json(slow)).code).toBe('AUTHORIZER_UNAVAILABLE');
      // DOWNSTREAM_PERMISSIONS_TIMEOUT_MS=300, far below the sandbox's 3 s delay.
      expect(performance.now() - started).toBeLessThan(2_500);
      sandbox.faults.set('users', { latencyMs: 0, errorRate: 1, errorStatus: 500 });
      const failing = await fetch(`${web.url}/api/v1/guarded-strict/x`, { headers: caller });
      expect(failing.status).toBe(503);
      expect(recorder.hits()).toBe(0);
      expect(
        await counter('bff_route_authorizer_decisions_total', {
          route: 'guarded-strict',
          decision: 'error',
        }),
      ).toBeGreaterThanOrEqual(2);
    });

    it('fails open where the route says so', async () => {
      sandbox.faults.set('users', { errorRate: 1, errorStatus: 503 });
      const res = await fetch(`${web.url}/api/v1/guarded-open/x`, { headers: caller });
      expect(res.status).toBe(200);
      expect(recorder.calls[0].headers['x-permission-level']).toBeUndefined();
    });

    it('needs a verified caller before the authorizer is asked', async () => {
      const res = await fetch(`${web.url}/api/v1/guarded/items`);
      expect(res.status).toBe(401);
      expect(authorizerCalls(sandbox)).toBe(0);
    });
  });

  describe('authorize, resilience on', () => {
    let guarded: RunningApp;

    beforeAll(async () => {
      guarded = await startApp(createWebBff, sandbox, {
        RATE_LIMIT_ENABLED: 'false',
        CACHE_ENABLED: 'false',
        RESILIENCE_ENABLED: 'true',
        ...services(),
        // The authorizer's own breaker: open after 3 failed calls, and stay open for the test.
        DOWNSTREAM_PERMISSIONS_BREAKER_MIN_CALLS: '3',
        DOWNSTREAM_PERMISSIONS_BREAKER_HALF_OPEN_AFTER_MS: '60000',
        DOWNSTREAM_PERMISSIONS_RETRY_MAX_ATTEMPTS: '1',
      });
    }, 30_000);

    afterAll(async () => {
      await guarded?.app.close();
    });

    it('stops asking a failing authorizer once its breaker opens, and keeps failing closed', async () => {
      sandbox.faults.set('users', { errorRate: 1, errorStatus: 500 });
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${guarded.url}/api/v1/guarded-strict/x`, { headers: caller });
        expect(res.status).toBe(503);
        expect((await json(res)).code).toBe('AUTHORIZER_UNAVAILABLE');
      }
      expect(authorizerCalls(sandbox)).toBeGreaterThanOrEqual(3);
      expect(authorizerCalls(sandbox)).toBeLessThan(8);
      expect(recorder.hits()).toBe(0);
    });
  });
});
