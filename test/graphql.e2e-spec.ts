import { createHash, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApiKeyCli } from '@app/auth';
import { loadConfig } from '@app/config';
import { type Server, createServer } from 'node:http';
import { serverAudits } from 'graphql-http';
import { createMobileBff } from '../apps/mobile-bff/src/mobile-bff.app';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { type TestIssuer, startTestIssuer } from './support/auth';
import { type BffProcess, listeningUrl, spawnWebBff } from './support/bff-process';
import { SHARED_REDIS_URL } from './support/shared-redis';
import { CookieJar } from './support/oidc-login';
import {
  type RunningWeb,
  freePort,
  loginThroughBff,
  startSessionSandbox,
  startSessionWeb,
} from './support/session-stack';
import {
  type Json,
  type RunningApp,
  type Sandbox,
  busiestUser,
  json,
  sandboxEnv,
  startApp,
  startSandbox,
} from './support/stack';

/** Remaining tokens of the daily quota, from the `RateLimit` field: exact, nothing refills it. */
const dailyRemaining = (res: Response): number => {
  const match = /"daily";r=(\d+)/.exec(res.headers.get('ratelimit') ?? '');
  if (match === null) throw new Error(`no daily quota in ${res.headers.get('ratelimit')}`);
  return Number(match[1]);
};

describe('GraphQL facade (/graphql) against the sandbox', () => {
  let sandbox: Sandbox;
  let web: RunningApp;
  let mobile: RunningApp;
  let issuer: TestIssuer;
  const keysFile = join(tmpdir(), `bff-graphql-keys-${process.pid}-${Date.now()}.json`);
  let apiKey: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    // A support client's API key, made with the operators' CLI.
    const lines: string[] = [];
    const created = await runApiKeyCli(
      ['create', '--client', 'helpdesk', '--roles', 'support', '--scopes', 'orders:read'],
      loadConfig(sandboxEnv(sandbox, { AUTH_API_KEYS_FILE: keysFile })),
      (line) => lines.push(line),
    );
    expect(created).toBe(0);
    apiKey = lines[0];
    const env = {
      AUTH_API_KEYS_FILE: keysFile,
      CACHE_ENABLED: 'false',
      RESILIENCE_BREAKER_MIN_CALLS: '1000',
      RESILIENCE_RETRY_MAX_ATTEMPTS: '1',
      // A JWKS fetch that failed on a busy machine is retried at once, not after 30 s.
      AUTH_JWKS_COOLDOWN_MS: '0',
      ...issuer.env,
    };
    web = await startApp(createWebBff, sandbox, { ...env, GRAPHQL_IDE: 'true' });
    // A short deadline on mobile, for the deadline test (the machine is loaded: generous elsewhere).
    // Introspection off on mobile, as in production.
    // Signed-in (standard) callers of mobile: 60 tokens an hour, so the rate-limit test runs
    // dry without racing the refill; anonymous callers practically unlimited.
    mobile = await startApp(createMobileBff, sandbox, {
      ...env,
      BFF_DEADLINE_MS: '1500',
      GRAPHQL_INTROSPECTION: 'false',
      RATE_LIMIT_BURST_WINDOW_SECONDS: '3600',
      RATE_LIMIT_STANDARD_BURST: '60',
      RATE_LIMIT_ANONYMOUS_BURST: '1000000',
      RATE_LIMIT_ANONYMOUS_SUSTAINED: '0',
    });
  });

  beforeAll(async () => {
    // Signed-in requests work once each app has the issuer's keys: wait for that, not for a time.
    const deadline = Date.now() + 30_000;
    for (const [app, aud] of [
      [web, 'web-bff'],
      [mobile, 'mobile-bff'],
    ] as const) {
      for (;;) {
        const res = await post(app, { query: '{ viewer { id } }' }, issuer.headers({ aud }));
        if (((await json(res)) as Json).data?.viewer?.id !== undefined) break;
        if (Date.now() > deadline) throw new Error(`${aud} never accepted a test token`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  afterAll(async () => {
    await web?.app.close();
    await mobile?.app.close();
    await sandbox?.close();
    await issuer?.close();
    await rm(keysFile, { force: true });
  });

  afterEach(() => {
    sandbox.faults.reset();
    sandbox.resetStats();
  });

  const post = (
    app: RunningApp,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> =>
    fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  const hits = () => ({
    catalog: sandbox.hits('catalog'),
    inventory: sandbox.hits('inventory'),
    reviews: sandbox.hits('reviews'),
    orders: sandbox.hits('orders'),
    users: sandbox.hits('users'),
  });
  const totalHits = () => Object.values(hits()).reduce((a, b) => a + b, 0);

  const PRODUCT_PAGE = `query ProductPage($id: ID!) {
    product(id: $id) {
      id name price { amount currency }
      availability { inStock available }
      reviews { averageRating count }
      related(first: 4) { id name }
    }
  }`;

  describe('schema over the downstream services', () => {
    it('serves the product page on web-bff and mobile-bff', async () => {
      for (const app of [web, mobile]) {
        const res = await post(app, { query: PRODUCT_PAGE, variables: { id: 'prd_0001' } });
        const body: Json = await json(res);
        expect(res.status).toBe(200);
        expect(body.errors).toBeUndefined();
        expect(body.data.product).toMatchObject({
          id: 'prd_0001',
          price: { currency: 'EUR' },
          availability: { inStock: expect.any(Boolean) },
          reviews: { count: expect.any(Number) },
        });
        expect(body.data.product.related).toHaveLength(4);
        expect(res.headers.get('x-partial-response')).toBeNull();
      }
    });

    it('pages products as a cursor connection, filtered by category', async () => {
      const query = `query Page($after: String) {
        products(category: "electronics", first: 3, after: $after) {
          totalCount edges { cursor node { id category } } pageInfo { hasNextPage endCursor }
        }
      }`;
      const first: Json = await json(await post(web, { query }));
      expect(first.errors).toBeUndefined();
      const page1 = first.data.products;
      expect(page1.edges).toHaveLength(3);
      expect(page1.pageInfo.hasNextPage).toBe(true);
      for (const e of page1.edges) expect(e.node.category).toBe('electronics');
      const second: Json = await json(
        await post(web, { query, variables: { after: page1.pageInfo.endCursor } }),
      );
      const ids1 = page1.edges.map((e: Json) => e.node.id);
      const ids2 = second.data.products.edges.map((e: Json) => e.node.id);
      expect(ids2).toHaveLength(3);
      for (const id of ids2) expect(ids1).not.toContain(id);
    });

    it('answers a malformed cursor with BAD_USER_INPUT, not a 500', async () => {
      const res = await post(web, { query: '{ products(after: "zzz") { totalCount } }' });
      const body: Json = await json(res);
      expect(res.status).toBe(200);
      expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    });

    it('serves the home screen', async () => {
      const body: Json = await json(
        await post(mobile, {
          query: '{ home { featured(first: 3) { id featured } categories { id name } } }',
        }),
      );
      expect(body.errors).toBeUndefined();
      expect(body.data.home.featured).toHaveLength(3);
      expect(body.data.home.categories.length).toBeGreaterThan(0);
    });
  });

  describe('batching (N+1)', () => {
    it("asks for 20 orders with every line's product: at most 3 downstream calls", async () => {
      // The busiest seeded user has 19 orders (no user has 20): all of them come back.
      const { userId, orders: seeded } = await busiestUser(sandbox);
      expect(seeded).toHaveLength(19);
      sandbox.resetStats();
      const res = await post(
        web,
        {
          query: `{ viewer { orders(first: 20) { edges { node { id items { quantity product { id name } } } } } } }`,
        },
        issuer.headers({ sub: userId, aud: 'web-bff' }),
      );
      const body: Json = await json(res);
      // One assertion, so a failure shows the errors and the calls made together.
      expect({ errors: body.errors, hits: hits() }).toEqual({
        errors: undefined,
        hits: { orders: 1, catalog: 1, inventory: 0, reviews: 0, users: 0 },
      });
      const orders = body.data.viewer.orders.edges;
      expect(orders).toHaveLength(seeded.length);
      const lines = orders.flatMap((e: Json) => e.node.items);
      expect(lines.length).toBeGreaterThan(orders.length);
      for (const line of lines) expect(line.product.id).toEqual(expect.any(String));
    });

    it('gives 20 products with availability and reviews in 3 downstream calls', async () => {
      sandbox.resetStats();
      const body: Json = await json(
        await post(web, {
          query:
            '{ products(first: 20) { edges { node { id availability { available } reviews { count } } } } }',
        }),
      );
      expect(body.errors).toBeUndefined();
      expect(body.data.products.edges).toHaveLength(20);
      expect(hits()).toEqual({ catalog: 1, inventory: 1, reviews: 1, orders: 0, users: 0 });
    });
  });

  describe('security', () => {
    it('leaves viewer null with UNAUTHENTICATED for anonymous callers', async () => {
      const res = await post(web, { query: '{ viewer { id } }' });
      const body: Json = await json(res);
      expect(res.status).toBe(200);
      expect(body.data.viewer).toBeNull();
      expect(body.errors[0]).toMatchObject({
        path: ['viewer'],
        extensions: { code: 'UNAUTHENTICATED' },
      });
    });

    // Resolvers run without Nest's per-call wrapper (graphql.direct.ts): their own refusals and
    // argument checks still decide, before any downstream call.
    it('refuses an anonymous order(id) and viewer orders with UNAUTHENTICATED, calling nothing', async () => {
      const res = await post(web, {
        query: '{ order(id: "ord_00001") { id } viewer { orders { totalCount } } }',
      });
      const body: Json = await json(res);
      expect(res.status).toBe(200);
      expect(body.data).toEqual({ order: null, viewer: null });
      expect(body.errors.map((e: Json) => [e.path, e.extensions.code])).toEqual(
        expect.arrayContaining([
          [['order'], 'UNAUTHENTICATED'],
          [['viewer'], 'UNAUTHENTICATED'],
        ]),
      );
      expect(totalHits()).toBe(0);
    });

    it('checks a field argument in its resolver: related(first: 0) is BAD_USER_INPUT at its path', async () => {
      const res = await post(web, {
        query: 'query P($n: Int!) { product(id: "prd_0001") { id related(first: $n) { id } } }',
        variables: { n: 0 },
      });
      const body: Json = await json(res);
      expect(res.status).toBe(200);
      expect(body.data.product).toEqual({ id: 'prd_0001', related: null });
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0]).toMatchObject({
        path: ['product', 'related'],
        extensions: { code: 'BAD_USER_INPUT' },
      });
    });

    it("applies an API key's roles and scopes per field; refuses an unknown key with 401", async () => {
      const query = '{ order(id: "ord_00002") { id fraudScore } }';
      const res = await post(web, { query }, { 'x-api-key': apiKey });
      const body: Json = await json(res);
      expect(res.status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data.order).toEqual({ id: 'ord_00002', fraudScore: expect.any(Number) });
      const unknown = await post(web, { query }, { 'x-api-key': `bffk_${'A'.repeat(43)}` });
      expect(unknown.status).toBe(401);
      expect(unknown.headers.get('www-authenticate')).toMatch(/^ApiKey /);
      expect((await json(unknown)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(totalHits()).toBe(1);
    });

    it('refuses a bad bearer token with 401 UNAUTHENTICATED and a challenge', async () => {
      const res = await post(
        web,
        { query: '{ home { ok } }' },
        { authorization: 'Bearer nope.nope.nope' },
      );
      const body: Json = await json(res);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(body.data).toBeUndefined();
    });

    it("shows an order to its owner only (someone else's is NOT_FOUND)", async () => {
      const order: Json = await json(await fetch(`${sandbox.urls.orders}/orders/ord_00001`));
      const query = '{ order(id: "ord_00001") { id total { amount } items { product { name } } } }';
      const own: Json = await json(
        await post(web, { query }, issuer.headers({ sub: order.userId })),
      );
      expect(own.errors).toBeUndefined();
      expect(own.data.order.id).toBe('ord_00001');
      const other: Json = await json(
        await post(
          web,
          { query },
          issuer.headers({ sub: order.userId === 'usr_0059' ? 'usr_0058' : 'usr_0059' }),
        ),
      );
      expect(other.data.order).toBeNull();
      expect(other.errors[0].extensions.code).toBe('NOT_FOUND');
    });

    it('shows fraudScore to support staff with orders:read only (FORBIDDEN for the owner)', async () => {
      const order: Json = await json(await fetch(`${sandbox.urls.orders}/orders/ord_00002`));
      const query = '{ order(id: "ord_00002") { id fraudScore } }';
      const owner: Json = await json(
        await post(web, { query }, issuer.headers({ sub: order.userId })),
      );
      expect(owner.data.order).toEqual({ id: 'ord_00002', fraudScore: null });
      expect(owner.errors[0]).toMatchObject({
        path: ['order', 'fraudScore'],
        extensions: { code: 'FORBIDDEN' },
      });
      const staff: Json = await json(
        await post(
          web,
          { query },
          issuer.headers({ sub: 'usr_0002', roles: ['support'], scope: 'orders:read' }),
        ),
      );
      expect(staff.errors).toBeUndefined();
      expect(staff.data.order.fraudScore).toEqual(expect.any(Number));
      const narrow: Json = await json(
        await post(
          web,
          { query },
          issuer.headers({ sub: 'usr_0002', roles: ['support'], scope: 'catalog:read' }),
        ),
      );
      expect(narrow.errors[0].extensions.code).toBe('FORBIDDEN');
    });

    it('turns introspection and field suggestions off where configured (production default)', async () => {
      const introspect = '{ __schema { queryType { name } } }';
      const open: Json = await json(await post(web, { query: introspect }));
      expect(open.data.__schema.queryType.name).toBe('Query');
      const closed: Json = await json(await post(mobile, { query: introspect }));
      expect(closed.data).toBeUndefined();
      expect(closed.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const typo = '{ produc(id: "prd_0001") { id } }';
      expect((await json(await post(web, { query: typo }))).errors[0].message).toMatch(
        /Did you mean/,
      );
      const hidden: Json = await json(await post(mobile, { query: typo }));
      expect(hidden.errors[0].message).toBe('Cannot query field "produc" on type "Query".');
    });

    it('serves GraphiQL only where enabled (GRAPHQL_IDE, development default)', async () => {
      const ide = await fetch(`${web.url}/graphiql`);
      expect(ide.status).toBe(200);
      expect(ide.headers.get('content-type')).toMatch(/^text\/html/);
      expect(ide.headers.get('content-security-policy')).toContain('https://unpkg.com');
      expect((await fetch(`${mobile.url}/graphiql`)).status).toBe(404);
    });

    it.each([
      ['text/plain', '{"query":"{ home { ok } }"}'],
      ['application/x-www-form-urlencoded', 'query=%7B%20home%20%7B%20ok%20%7D%20%7D'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ home { ok } }\r\n--x--\r\n',
      ],
    ])('refuses a CSRF-able %s POST with 415 and calls no downstream', async (type, body) => {
      const res = await fetch(`${web.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      expect(res.status).toBe(415);
      expect((await json(res)).errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(totalHits()).toBe(0);
    });

    it('refuses a session-cookie request without X-CSRF before running anything', async () => {
      const res = await post(
        web,
        { query: '{ home { ok } }' },
        {
          cookie: `${web.config.session.cookieName}=abc`,
        },
      );
      expect(res.status).toBe(401);
      expect((await json(res)).errors[0].extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        reason: 'CSRF_HEADER_REQUIRED',
      });
      expect(totalHits()).toBe(0);
    });

    it('runs no mutation, over GET or POST: the read-only schema refuses it before execution', async () => {
      const mutation = 'mutation { home { ok } }';
      const viaGet = await fetch(`${web.url}/graphql?query=${encodeURIComponent(mutation)}`, {
        headers: { accept: 'application/graphql-response+json' },
      });
      const viaPost = await post(
        web,
        { query: mutation },
        { accept: 'application/graphql-response+json' },
      );
      for (const res of [viaGet, viaPost]) {
        expect(res.status).toBe(400);
        expect(await json(res)).toEqual({
          errors: [
            {
              message: 'This API has no mutation operations',
              locations: [{ line: 1, column: 1 }],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            },
          ],
        });
      }
      expect(totalHits()).toBe(0);
    });
  });

  describe('abuse limits', () => {
    it('refuses a query nested too deep (QUERY_TOO_DEEP)', async () => {
      const deep =
        '{ product(id: "prd_0001") { related { related { related { related { related { related { related { id } } } } } } } } }';
      const res = await post(web, { query: deep });
      expect((await json(res)).errors[0].extensions.code).toBe('QUERY_TOO_DEEP');
      expect(totalHits()).toBe(0);
    });

    it('refuses too many aliases (TOO_MANY_ALIASES)', async () => {
      const fields = Array.from({ length: 16 }, (_, i) => `a${i}: product(id: "prd_0001") { id }`);
      const res = await post(web, { query: `{ ${fields.join(' ')} }` });
      expect((await json(res)).errors[0].extensions.code).toBe('TOO_MANY_ALIASES');
      expect(totalHits()).toBe(0);
    });

    it('refuses an operation over the cost limit (QUERY_TOO_COMPLEX), counting variables', async () => {
      const query = `query Big($n: Int!) { products(first: $n) { edges { node { related(first: $n) { reviews { count } availability { available } } } } } }`;
      const res = await post(web, { query, variables: { n: 50 } });
      const body: Json = await json(res);
      expect(res.status).toBe(400);
      expect(body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      expect(totalHits()).toBe(0);
      const small: Json = await json(await post(web, { query, variables: { n: 2 } }));
      expect(small.errors).toBeUndefined();
    });

    it('refuses a batch over GRAPHQL_MAX_BATCH and a document over GRAPHQL_MAX_DOCUMENT_BYTES', async () => {
      const batch = Array.from({ length: 6 }, () => ({ query: '{ home { ok } }' }));
      const res = await post(web, batch);
      expect(res.status).toBe(400);
      expect((await json(res)).errors[0].extensions.code).toBe('BATCH_TOO_LARGE');
      const big = await post(web, { query: `{ home { ok } } # ${'x'.repeat(9000)}` });
      expect(big.status).toBe(413);
      expect((await json(big)).errors[0].extensions.code).toBe('DOCUMENT_TOO_LARGE');
      const ok: Json = await json(await post(web, batch.slice(0, 2)));
      expect(ok).toHaveLength(2);
    });

    it('charges the rate limit the operation cost: an expensive query spends more tokens', async () => {
      const headers = issuer.headers({ sub: 'usr_0040', aud: 'web-bff' });
      const cheap1 = await post(web, { query: '{ home { ok } }' }, headers);
      const cheap2 = await post(web, { query: '{ home { ok } }' }, headers);
      expect(dailyRemaining(cheap1) - dailyRemaining(cheap2)).toBe(1);
      const heavy = await post(
        web,
        {
          query:
            '{ products(first: 30) { edges { node { availability { available } reviews { count } } } } }',
        },
        headers,
      );
      expect((await json(heavy)).errors).toBeUndefined();
      // cost 1 + 30 * (edges 1 + node 1 + 2) = 121 -> 13 tokens at 10 per token.
      expect(dailyRemaining(cheap2) - dailyRemaining(heavy)).toBe(13);
    });
  });

  describe('rate limits', () => {
    it('runs a caller dry by cost: the third 26-token operation gets 429 RATE_LIMITED with Retry-After', async () => {
      // cost 1 + 50 * (edges + node + price + availability + reviews) = 251 -> 26 tokens of 60.
      const query =
        '{ products(first: 50) { edges { node { price { amount } availability { available } reviews { count } } } } }';
      const headers = issuer.headers({ sub: 'usr_0041', aud: 'mobile-bff' });
      for (let i = 0; i < 2; i++) {
        const ok = await post(mobile, { query }, headers);
        expect(ok.status).toBe(200);
      }
      sandbox.resetStats();
      const res = await post(mobile, { query }, headers);
      const body: Json = await json(res);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(60);
      expect(body.data).toBeUndefined();
      expect(body.errors[0].extensions).toMatchObject({
        code: 'RATE_LIMITED',
        retryAfter: expect.any(Number),
      });
      expect(totalHits()).toBe(0);
      // A cheap operation still fits in what is left (8 tokens).
      expect((await post(mobile, { query: '{ home { ok } }' }, headers)).status).toBe(200);
    });

    it('refuses an operation costing more than the whole burst (429, no Retry-After), taking nothing', async () => {
      // 3 x (1 + 50 * 5) = 753 -> 76 tokens, more than the 60 the bucket holds when full.
      const page = (alias: string) =>
        `${alias}: products(first: 50) { edges { node { price { amount } availability { available } reviews { count } } } }`;
      const query = `{ ${page('a')} ${page('b')} ${page('c')} }`;
      const headers = issuer.headers({ sub: 'usr_0042', aud: 'mobile-bff' });
      const burstRemaining = (res: Response): number =>
        Number(/"burst";r=(\d+)/.exec(res.headers.get('ratelimit') ?? '')?.[1]);
      sandbox.resetStats();
      for (let i = 0; i < 2; i++) {
        const res = await post(mobile, { query }, headers);
        const body: Json = await json(res);
        expect(res.status).toBe(429);
        expect(res.headers.get('retry-after')).toBeNull();
        expect(body.data).toBeUndefined();
        expect(body.errors[0].message).toMatch(
          /costs 76 rate-limit tokens, more than the burst limit/,
        );
        expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
        expect(body.errors[0].extensions.retryAfter).toBeUndefined();
        // The full bucket is untouched.
        expect(burstRemaining(res)).toBe(60);
      }
      expect(totalHits()).toBe(0);
      // The bucket is still full: a 26-token operation leaves 34.
      const cheaper =
        '{ products(first: 50) { edges { node { price { amount } availability { available } reviews { count } } } } }';
      const ok = await post(mobile, { query: cheaper }, headers);
      expect(ok.status).toBe(200);
      expect(burstRemaining(ok)).toBe(34);
    });
  });

  describe('partial results and deadlines', () => {
    it('a failing reviews service leaves reviews null with its path, marked partial and not cached', async () => {
      sandbox.faults.set('reviews', { errorRate: 1 });
      const res = await post(web, { query: PRODUCT_PAGE, variables: { id: 'prd_0003' } });
      const body: Json = await json(res);
      expect(res.status).toBe(200);
      expect(body.data.product.name).toEqual(expect.any(String));
      expect(body.data.product.availability).not.toBeNull();
      expect(body.data.product.reviews).toBeNull();
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['product', 'reviews'],
          extensions: expect.objectContaining({ code: 'DOWNSTREAM_UNAVAILABLE' }),
        }),
      ]);
      expect(res.headers.get('x-partial-response')).toBe('reviews');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|stack|ECONN/);
      // Metrics tell a partial operation from a complete one, and count its error by code.
      const metrics = await (await fetch(`${web.url}/metrics`)).text();
      expect(metrics).toMatch(
        /bff_graphql_operation_duration_seconds_count\{app="web-bff",operation="ProductPage",outcome="partial"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /bff_graphql_errors_total\{app="web-bff",operation="ProductPage",code="DOWNSTREAM_UNAVAILABLE"\} [1-9]/,
      );
    });

    it('never tags or lets caches keep a partial GET answer; the next complete one is tagged', async () => {
      const url = `${mobile.url}/graphql?query=${encodeURIComponent(
        '{ product(id: "prd_0007") { id reviews { count } } }',
      )}`;
      sandbox.faults.set('reviews', { errorRate: 1 });
      const partial = await fetch(url);
      const body: Json = await json(partial);
      expect(partial.status).toBe(200);
      expect(body.data.product).toEqual({ id: 'prd_0007', reviews: null });
      expect(body.errors[0].path).toEqual(['product', 'reviews']);
      expect(partial.headers.get('x-partial-response')).toBe('reviews');
      expect(partial.headers.get('cache-control')).toBe('no-store');
      expect(partial.headers.get('etag')).toBeNull();
      sandbox.faults.reset();
      const complete = await fetch(url);
      expect((await json(complete)).data.product.reviews.count).toEqual(expect.any(Number));
      expect(complete.headers.get('etag')).toMatch(/^W\/"/);
      expect(complete.headers.get('cache-control')).toBe('public, max-age=30');
    });

    it('a deadline that expires mid-query fails the waiting fields only (DEADLINE_EXCEEDED)', async () => {
      sandbox.faults.set('reviews', { latencyMs: 5000 });
      const started = Date.now();
      const res = await post(mobile, { query: PRODUCT_PAGE, variables: { id: 'prd_0004' } });
      const body: Json = await json(res);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(res.status).toBe(200);
      expect(body.data.product.id).toBe('prd_0004');
      expect(body.data.product.reviews).toBeNull();
      expect(body.errors[0]).toMatchObject({
        path: ['product', 'reviews'],
        extensions: { code: 'DEADLINE_EXCEEDED' },
      });
      expect(res.headers.get('x-partial-response')).toBe('reviews');
    });
  });

  describe('persisted queries (APQ over GET) and HTTP caching', () => {
    it('registers a query by its sha256, then serves it by hash over GET with ETag/304', async () => {
      const query = '{ product(id: "prd_0005") { id name } }';
      const hash = createHash('sha256').update(query).digest('hex');
      const ext = encodeURIComponent(
        JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }),
      );
      const byHash = `${mobile.url}/graphql?extensions=${ext}`;
      const unknown: Json = await json(await fetch(byHash));
      expect(unknown.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      const register = await fetch(`${byHash}&query=${encodeURIComponent(query)}`);
      expect(register.status).toBe(200);
      const res = await fetch(byHash);
      expect(res.status).toBe(200);
      expect((await json(res)).data.product.id).toBe('prd_0005');
      const etag = res.headers.get('etag');
      expect(etag).toMatch(/^W\/"/);
      expect(res.headers.get('cache-control')).toBe('public, max-age=30');
      expect(res.headers.get('vary')).toMatch(/authorization, cookie, accept/);
      const again = await fetch(byHash, { headers: { 'if-none-match': etag ?? '' } });
      expect(again.status).toBe(304);
    });

    it('tags a compressed answer too (mobile-bff compresses large answers)', async () => {
      const query = '{ products(first: 20) { edges { node { id name description } } } }';
      const url = `${mobile.url}/graphql?query=${encodeURIComponent(query)}`;
      const res = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect((await json(res)).data.products.edges).toHaveLength(20);
      const etag = res.headers.get('etag') ?? '';
      expect(etag).toMatch(/^W\/"/);
      const again = await fetch(url, {
        headers: { 'accept-encoding': 'gzip', 'if-none-match': etag },
      });
      expect(again.status).toBe(304);
      // POSTs are never stored.
      expect((await post(mobile, { query })).headers.get('cache-control')).toBe('no-store');
    });

    it('shares registrations through Redis: a hash registered on one web-bff is served by another', async () => {
      // Two web-bff instances on the machine's Redis, used for persisted queries only.
      const env = {
        CACHE_ENABLED: 'false',
        REDIS_URL: SHARED_REDIS_URL,
        RATE_LIMIT_STORE: 'memory',
        SESSION_STORE: 'memory',
        AUTH_API_KEYS_STORE: 'file',
        AUTH_REVOCATION_STORE: 'memory',
        EVENTS_REDIS: 'false',
        GRAPHQL_PERSISTED_QUERIES_TTL_SECONDS: '120',
      };
      const one = await startApp(createWebBff, sandbox, env);
      const two = await startApp(createWebBff, sandbox, env);
      try {
        // A query no other run has registered (its hash is new to Redis).
        const query = `query Apq${randomUUID().replace(/-/g, '')} { product(id: "prd_0006") { id } }`;
        const hash = createHash('sha256').update(query).digest('hex');
        const ext = encodeURIComponent(
          JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }),
        );
        const path = `/graphql?extensions=${ext}`;
        const before: Json = await json(await fetch(`${two.url}${path}`));
        expect(before.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
        // Registered on one once its client is connected (a lookup before that finds nothing).
        const deadline = Date.now() + 20_000;
        for (;;) {
          const reg = await fetch(`${one.url}${path}&query=${encodeURIComponent(query)}`);
          expect(reg.status).toBe(200);
          const res = await fetch(`${two.url}${path}`);
          const body: Json = await json(res);
          if (res.status === 200 && body.data !== undefined) {
            expect(body.data.product.id).toBe('prd_0006');
            break;
          }
          expect(body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
          if (Date.now() > deadline) throw new Error('the hash never reached the other instance');
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await one.app.close();
        await two.app.close();
      }
    });

    it('refuses a hash that does not match its query (PERSISTED_QUERY_MISMATCH)', async () => {
      const ext = encodeURIComponent(
        JSON.stringify({ persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } }),
      );
      const res = await fetch(
        `${web.url}/graphql?extensions=${ext}&query=${encodeURIComponent('{ home { ok } }')}`,
      );
      expect((await json(res)).errors[0].extensions.code).toBe('PERSISTED_QUERY_MISMATCH');
    });
  });

  describe('GraphQL over HTTP', () => {
    it('answers application/graphql-response+json when asked, with 400 for an invalid document', async () => {
      const res = await post(
        web,
        { query: '{ nope }' },
        { accept: 'application/graphql-response+json' },
      );
      expect(res.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
      expect(res.status).toBe(400);
      const body: Json = await json(res);
      expect(body.data).toBeUndefined();
      expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    const failedMusts = async (app: RunningApp): Promise<string[]> => {
      const musts = serverAudits({ url: `${app.url}/graphql` }).filter((a) =>
        a.name.startsWith('MUST'),
      );
      expect(musts.length).toBeGreaterThan(10);
      const failed: string[] = [];
      for (const audit of musts) {
        const result = await audit.fn();
        if (result.status !== 'ok') failed.push(audit.name);
      }
      return failed;
    };

    it("passes every MUST of graphql-http's server audits (introspection on)", async () => {
      expect(await failedMusts(web)).toEqual([]);
    });

    it('with introspection off, fails only the audit whose document is an introspection query', async () => {
      // That audit sends `query ($name: String!) { __type(name: $name) { name } }`.
      expect(await failedMusts(mobile)).toEqual([
        'MUST allow map {variables} parameter when accepting application/json',
      ]);
    });

    it('exports metrics per operation name', async () => {
      await post(web, {
        query: PRODUCT_PAGE,
        variables: { id: 'prd_0001' },
        operationName: 'ProductPage',
      });
      const metrics = await (await fetch(`${web.url}/metrics`)).text();
      expect(metrics).toMatch(
        /bff_graphql_operation_duration_seconds_count\{app="web-bff",operation="ProductPage",outcome="ok"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /bff_graphql_operation_cost_count\{app="web-bff",operation="ProductPage"\} [1-9]/,
      );
    });

    it('counts errors per operation name and code, and the operation outcome', async () => {
      const res = await post(web, {
        query: 'query BadCursor { products(after: "zzz") { totalCount } }',
      });
      expect((await json(res)).errors[0].extensions.code).toBe('BAD_USER_INPUT');
      const metrics = await (await fetch(`${web.url}/metrics`)).text();
      expect(metrics).toMatch(
        /bff_graphql_errors_total\{app="web-bff",operation="BadCursor",code="BAD_USER_INPUT"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /bff_graphql_operation_duration_seconds_count\{app="web-bff",operation="BadCursor",outcome="errors"\} [1-9]/,
      );
    });
  });
});

describe('GraphQL facade with a browser session (web-bff, cookie + X-CSRF)', () => {
  let sandbox: Sandbox;
  let web: RunningWeb;

  beforeAll(async () => {
    const port = await freePort();
    sandbox = await startSessionSandbox([port]);
    web = await startSessionWeb(sandbox, port);
  });

  afterAll(async () => {
    await web?.app.close();
    await sandbox?.close();
  });

  const VIEWER = '{ viewer { id orders(first: 2) { edges { node { id } } } } }';

  it('answers a cookie-authenticated query that carries X-CSRF: 1, as the signed-in user', async () => {
    const jar = new CookieJar();
    await loginThroughBff(jar, web.url, 'usr_0035');
    const res = await jar.fetch(`${web.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf': '1' },
      body: JSON.stringify({ query: VIEWER }),
    });
    const body: Json = await json(res);
    expect(res.status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.viewer.id).toBe('usr_0035');
    expect(body.data.viewer.orders.edges.length).toBeGreaterThan(0);
  });

  it('refuses the same cookie without X-CSRF, over POST and over GET, before any downstream call', async () => {
    const jar = new CookieJar();
    await loginThroughBff(jar, web.url, 'usr_0035');
    sandbox.resetStats();
    const post = await jar.fetch(`${web.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: VIEWER }),
    });
    const get = await jar.fetch(`${web.url}/graphql?query=${encodeURIComponent(VIEWER)}`);
    for (const res of [post, get]) {
      expect(res.status).toBe(401);
      expect(((await json(res)) as Json).errors[0].extensions.reason).toBe('CSRF_HEADER_REQUIRED');
    }
    expect(sandbox.hits('orders') + sandbox.hits('users')).toBe(0);
  });
});

/** One span as an OTLP/HTTP JSON export carries it, attributes flattened. */
interface ExportedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, string | number | boolean>;
}

/** A stand-in OpenTelemetry collector: keeps every span posted to `/v1/traces` (OTLP JSON). */
async function startCollector(): Promise<{ url: string; spans: ExportedSpan[]; server: Server }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const data: Json = JSON.parse(body);
      for (const rs of data.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const span of ss.spans ?? []) {
            const attributes: ExportedSpan['attributes'] = {};
            for (const { key, value } of span.attributes ?? []) {
              // OTLP JSON encodes 64-bit integers as strings.
              attributes[key] =
                value.intValue !== undefined
                  ? Number(value.intValue)
                  : (value.stringValue ?? value.boolValue ?? value.doubleValue);
            }
            spans.push({
              name: span.name,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              attributes,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}/v1/traces`, spans, server };
}

describe('GraphQL facade traced (web-bff process exporting OTLP spans, JSON logs)', () => {
  let sandbox: Sandbox;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let bff: BffProcess;

  beforeAll(async () => {
    sandbox = await startSandbox();
    collector = await startCollector();
    bff = spawnWebBff(sandbox, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url,
      CACHE_ENABLED: 'false',
      SHUTDOWN_DELAY_MS: '0',
    });
  });

  afterAll(async () => {
    if (bff?.child.exitCode === null && bff.child.signalCode === null) bff.child.kill('SIGKILL');
    await sandbox?.close();
    await new Promise((done) => collector?.server.close(done));
  });

  it('has a span per operation and per loader batch, parents of the downstream calls; the log line names the operation', async () => {
    const url = await listeningUrl(bff);
    // prd_0001 asked twice: each loader's batch serves 3 loads with 2 distinct ids.
    const query = `query Traced {
      a: product(id: "prd_0001") { id availability { available } }
      b: product(id: "prd_0002") { id availability { available } }
      c: product(id: "prd_0001") { id availability { available } }
    }`;
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'gql-traced-1' },
      body: JSON.stringify({ query }),
    });
    const body: Json = await json(res);
    expect(body.errors).toBeUndefined();
    expect(body.data.c.availability).toEqual(body.data.a.availability);
    // Shutdown exports what the batch processor holds and flushes the log.
    bff.child.kill('SIGTERM');
    expect((await bff.exited).code).toBe(0);

    const named = (name: string): ExportedSpan[] => collector.spans.filter((s) => s.name === name);
    const [server] = named('POST /graphql');
    const [operation] = named('query Traced');
    const [products] = named('graphql.batch product');
    const [stock] = named('graphql.batch stock');
    const [catalog] = named('GET catalog');
    const [inventory] = named('GET inventory');
    // One assertion on the whole tree, so a failure shows what was exported.
    expect({ server, operation, products, stock, catalog, inventory }).toEqual({
      server: expect.objectContaining({ parentSpanId: undefined }),
      operation: expect.objectContaining({
        parentSpanId: server.spanId,
        // Cost: each product 1 + its availability 1.
        attributes: {
          'graphql.operation.type': 'query',
          'graphql.operation.name': 'Traced',
          'graphql.operation.cost': 6,
        },
      }),
      products: expect.objectContaining({
        parentSpanId: operation.spanId,
        attributes: {
          'graphql.batch.loader': 'product',
          'graphql.batch.size': 3,
          'graphql.batch.keys': 2,
        },
      }),
      stock: expect.objectContaining({
        parentSpanId: operation.spanId,
        attributes: {
          'graphql.batch.loader': 'stock',
          'graphql.batch.size': 3,
          'graphql.batch.keys': 2,
        },
      }),
      catalog: expect.objectContaining({ parentSpanId: products.spanId }),
      inventory: expect.objectContaining({ parentSpanId: stock.spanId }),
    });
    for (const span of [operation, products, stock, catalog, inventory]) {
      expect(span.traceId).toBe(server.traceId);
    }
    // Exactly one batch per loader, one call per service.
    expect([products, stock, catalog, inventory].map((s) => named(s.name).length)).toEqual([
      1, 1, 1, 1,
    ]);

    const line = bff
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Json)
      .find((l) => l.requestId === 'gql-traced-1');
    expect(line).toMatchObject({
      msg: 'request completed',
      route: '/graphql',
      routeName: 'graphql Traced',
      status: 200,
      traceId: server.traceId,
    });
  });
});
