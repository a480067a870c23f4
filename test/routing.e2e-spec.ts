import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { SANDBOX_SERVICES } from '../apps/sandbox/src/sandbox';
import { inCanary } from '@app/routing';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { bearer, internalToken } from './support/auth';
import { rawRequest } from './support/raw-http';
import { type RunningApp, type Sandbox, json, startApp, startSandbox } from './support/stack';

/** Test-only upstream that counts streamed bytes and when they arrived. */
interface Upload {
  method: string;
  url: string;
  bytes: number;
  firstChunkAt: number;
  endAt: number;
  contentType: string | undefined;
}

function startUploadSink(): Promise<{ server: Server; url: string; uploads: Upload[] }> {
  const uploads: Upload[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let bytes = 0;
    let firstChunkAt = 0;
    req.on('data', (chunk: Buffer) => {
      if (bytes === 0) firstChunkAt = performance.now();
      bytes += chunk.length;
    });
    req.on('end', () => {
      const upload = {
        method: req.method ?? '',
        url: req.url ?? '',
        bytes,
        firstChunkAt,
        endAt: performance.now(),
        contentType: req.headers['content-type'],
      };
      uploads.push(upload);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ bytes }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}`, uploads });
    }),
  );
}

function routesFile(name: string, routes: unknown[]): string {
  const file = join(tmpdir(), `bff-routes-${name}-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ routes }));
  return file;
}

const totalHits = (sandbox: Sandbox): number =>
  SANDBOX_SERVICES.reduce((sum, s) => sum + sandbox.hits(s), 0);

/** Runs `count` calls of `fn` with at most `concurrency` in flight. */
async function pooled(count: number, concurrency: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

/** Policies of the other libs off: these tests look at the proxy and the balancer alone. */
const BARE = { RATE_LIMIT_ENABLED: 'false', RESILIENCE_ENABLED: 'false', CACHE_ENABLED: 'false' };

describe('declarative routes (pass-through)', () => {
  let sandbox: Sandbox;
  let second: Sandbox;
  let sink: Awaited<ReturnType<typeof startUploadSink>>;
  let web: RunningApp;

  beforeAll(async () => {
    [sandbox, second, sink] = await Promise.all([
      startSandbox(),
      startSandbox(),
      startUploadSink(),
    ]);
    web = await startApp(createWebBff, sandbox, {
      ...BARE,
      DOWNSTREAM_SERVICES: 'users,orders,catalog,inventory,reviews,files',
      DOWNSTREAM_FILES_URL: sink.url,
      WEB_BFF_ROUTES_FILE: routesFile('web', [
        {
          name: 'catalog',
          prefix: '/api/v1/catalog',
          service: 'catalog',
          auth: 'public',
          timeoutMs: 800,
        },
        {
          name: 'uploads',
          prefix: '/api/v1/uploads',
          service: 'files',
          rewrite: '/incoming',
          methods: ['POST', 'PUT'],
          auth: 'public',
          maxBodyBytes: 64 * 1024 * 1024,
        },
        {
          name: 'small-uploads',
          prefix: '/api/v1/small-uploads',
          service: 'files',
          methods: ['POST'],
          auth: 'public',
          maxBodyBytes: 1024 * 1024,
        },
        {
          name: 'users',
          prefix: '/api/v1/users',
          service: 'users',
          rewrite: '/users',
          roles: ['admin'],
        },
      ]),
    });
  });

  afterAll(async () => {
    await web?.app.close();
    sink?.server.closeAllConnections();
    await new Promise((resolve) => sink?.server.close(resolve));
    await Promise.all([sandbox?.close(), second?.close()]);
  }, 20_000);

  afterEach(() => {
    for (const s of [sandbox, second]) {
      s.faults.reset();
      s.resetStats();
    }
    sink.uploads.length = 0;
  });

  describe('pass-through', () => {
    it('forwards under the prefix with the query, and answers what the downstream answered', async () => {
      const res = await fetch(`${web.url}/api/v1/catalog/products/prd_0007?fields=ignored&x=%20y`, {
        headers: { 'x-request-id': 'route-test-1' },
      });
      expect(res.status).toBe(200);
      const direct = await fetch(`${sandbox.urls.catalog}/products/prd_0007`);
      expect(await res.text()).toBe(await direct.text());
      const [seen] = sandbox.recorded('catalog');
      expect(seen.url).toBe('/products/prd_0007?fields=ignored&x=%20y');
      expect(seen.headers['x-request-id']).toBe('route-test-1');
      expect(seen.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect(res.headers.get('x-request-id')).toBe('route-test-1');
    });

    it('answers HEAD with the head only', async () => {
      const res = await request(`${web.url}/api/v1/catalog/products/prd_0007`, { method: 'HEAD' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(await res.body.text()).toBe('');
      expect(sandbox.recorded('catalog')[0].method).toBe('HEAD');
    });

    it('mirrors downstream 4xx as they are', async () => {
      const res = await fetch(`${web.url}/api/v1/catalog/products/prd_9999`);
      expect(res.status).toBe(404);
      expect((await json(res)).message).toMatch(/prd_9999 not found/);
    });

    it('strips hop-by-hop, identity and internal headers both ways', async () => {
      const res = await rawRequest(web.url, '/api/v1/catalog/categories', {
        headers: {
          connection: 'close, x-hop-secret',
          'x-hop-secret': 'never',
          'keep-alive': 'timeout=5',
          te: 'trailers',
          'proxy-authorization': 'Basic eDp5',
          'x-user-id': 'usr_0001',
          'x-user-roles': 'admin',
          'x-internal-token': 'forged',
          'x-forwarded-for': '6.6.6.6',
          cookie: 'bff_session=secret',
          'x-custom': 'kept',
        },
      });
      expect(res.status).toBe(200);
      const headers = sandbox.recorded('catalog')[0].headers;
      for (const name of [
        'x-hop-secret',
        'keep-alive',
        'te',
        'proxy-authorization',
        'x-user-id',
        'x-user-roles',
        'x-internal-token',
        'cookie',
      ]) {
        expect(headers[name]).toBeUndefined();
      }
      expect(headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(headers['x-custom']).toBe('kept');
      expect(res.head).toMatch(/^x-request-id: /m);
      expect(res.head).not.toMatch(/^(transfer-encoding|server|x-powered-by):/im);
    });

    it('refuses methods the route does not allow with 405 and Allow, reaching nothing', async () => {
      const res = await fetch(`${web.url}/api/v1/catalog/products`, {
        method: 'DELETE',
      });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect((await json(res)).code).toBe('METHOD_NOT_ALLOWED');
      expect(totalHits(sandbox)).toBe(0);
    });

    it('maps downstream failures to typed 502 / 503 / 504 JSON errors', async () => {
      sandbox.faults.set('catalog', { errorRate: 1, errorStatus: 500 });
      const bad = await fetch(`${web.url}/api/v1/catalog/products/prd_0001`);
      expect(bad.status).toBe(502);
      const body = await json(bad);
      expect(body.code).toBe('BAD_UPSTREAM_RESPONSE');
      expect(JSON.stringify(body)).not.toMatch(/injected_fault/);

      sandbox.faults.set('catalog', { errorRate: 1, errorStatus: 503 });
      expect((await fetch(`${web.url}/api/v1/catalog/products/prd_0001`)).status).toBe(503);

      sandbox.faults.set('catalog', { errorRate: 0, latencyMs: 3000 });
      const started = performance.now();
      const slow = await fetch(`${web.url}/api/v1/catalog/products/prd_0001`);
      const elapsed = performance.now() - started;
      expect(slow.status).toBe(504);
      expect((await json(slow)).code).toBe('DEADLINE_EXCEEDED');
      // The route's 800 ms timeout, not the 3 s default deadline.
      expect(elapsed).toBeGreaterThanOrEqual(750);
      expect(elapsed).toBeLessThan(1500);
    });

    it('requires the roles of a protected route (401 anonymous, 403 without the role)', async () => {
      const anonymous = await fetch(`${web.url}/api/v1/users/usr_0001`);
      expect(anonymous.status).toBe(401);
      const noRole = await fetch(`${web.url}/api/v1/users/usr_0001`, {
        headers: bearer(internalToken({ aud: 'web-bff', roles: ['support'] })),
      });
      expect(noRole.status).toBe(403);
      expect(sandbox.hits('users')).toBe(0);
      const admin = await fetch(`${web.url}/api/v1/users/usr_0001`, {
        headers: bearer(internalToken({ aud: 'web-bff', roles: ['admin'] })),
      });
      expect(admin.status).toBe(200);
      expect((await json(admin)).id).toBe('usr_0001');
      expect(sandbox.recorded('users')[0].url).toBe('/users/usr_0001');
      // The client's bearer token is the BFF's business, never forwarded as is.
      expect(sandbox.recorded('users')[0].headers.authorization).toBeUndefined();
    });
  });

  describe('path escapes: each is refused and nothing reaches a downstream', () => {
    const attempts = [
      '/api/v1/catalog/../users/usr_0001',
      '/api/v1/catalog/../../api/v1/users/usr_0001',
      '/api/v1/catalog/products/../../users/usr_0001',
      '/api/v1/catalog/%2e%2e/users/usr_0001',
      '/api/v1/catalog/%2E%2E/users/usr_0001',
      '/api/v1/catalog/.%2e/users/usr_0001',
      '/api/v1/catalog/%2e%2e%2fusers%2fusr_0001',
      '/api/v1/catalog/products%2f..%2f..%2fusers',
      '/api/v1/catalog/products%5c..%5cusers',
      '/api/v1/catalog/products\\..\\users',
      '/api/v1/catalog/%252e%252e/users',
      '/api/v1/catalog//evil.example/x',
      '/api/v1/catalog/./products',
      '/api/v1/catalog/products%00.json',
      '/api/v1/catalog/products\u0000.json',
      '/api/v1/catalog/products\u0001',
      '//evil.example/api/v1/catalog/products',
      'http://evil.example/',
      'http://evil.example/api/v1/catalog/products',
      'HTTP://127.0.0.1:1/api/v1/catalog/products',
      '*',
    ];

    it.each(attempts)('%j', async (target) => {
      const res = await rawRequest(web.url, target);
      expect([400, 404]).toContain(res.status);
      expect(totalHits(sandbox)).toBe(0);
      expect(totalHits(second)).toBe(0);
      // Every refusal is the JSON error body, the HTTP parser's 400s included (no silent skip).
      expect(JSON.parse(res.body).statusCode).toBe(res.status);
    });

    it('an absolute-form target naming a downstream host is refused, not proxied', async () => {
      const res = await rawRequest(
        web.url,
        `${second.urls.catalog}/api/v1/catalog/products/prd_0001`,
      );
      expect(res.status).toBe(400);
      expect(totalHits(sandbox)).toBe(0);
      expect(totalHits(second)).toBe(0);
    });
  });

  describe('streaming', () => {
    it('streams a slow download: headers and first bytes long before the body ends', async () => {
      // 2.5 s of body: longer than the route's 800 ms timeout, which only bounds the response head.
      sandbox.faults.set('catalog', { slowBodyMs: 2500 });
      const started = performance.now();
      const res = await request(`${web.url}/api/v1/catalog/products?pageSize=100`);
      const headersAt = performance.now() - started;
      let firstChunkAt = 0;
      let bytes = 0;
      for await (const chunk of res.body) {
        if (bytes === 0) firstChunkAt = performance.now() - started;
        bytes += (chunk as Buffer).length;
      }
      const endAt = performance.now() - started;
      expect(res.statusCode).toBe(200);
      expect(bytes).toBeGreaterThan(50_000);
      expect(headersAt).toBeLessThan(700);
      expect(firstChunkAt).toBeLessThan(1200);
      expect(endAt).toBeGreaterThan(2000);
    });

    it('streams a chunked upload: the downstream reads before the client has finished', async () => {
      const chunk = randomBytes(1024 * 1024);
      const started = performance.now();
      async function* slowBody() {
        for (let i = 0; i < 10; i++) {
          yield chunk;
          await sleep(100);
        }
      }
      const res = await request(`${web.url}/api/v1/uploads/big.bin?v=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: Readable.from(slowBody()),
      });
      expect(res.statusCode).toBe(200);
      expect(await res.body.json()).toEqual({ bytes: 10 * 1024 * 1024 });
      const [upload] = sink.uploads;
      expect(upload).toMatchObject({
        method: 'POST',
        url: '/incoming/big.bin?v=1',
        bytes: 10 * 1024 * 1024,
        contentType: 'application/octet-stream',
      });
      // Buffered, the first byte would arrive after the last one was sent (~1 s).
      expect(upload.firstChunkAt - started).toBeLessThan(600);
      expect(upload.endAt - started).toBeGreaterThan(900);
    });

    it('passes a JSON body through unparsed, byte for byte', async () => {
      const body = '{ "a" : 1,\n  "b": [true] }';
      const res = await fetch(`${web.url}/api/v1/uploads/doc`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(200);
      expect(sink.uploads[0]).toMatchObject({
        method: 'PUT',
        bytes: Buffer.byteLength(body),
        contentType: 'application/json',
      });
    });

    it('answers 413 for a body above the route limit, declared or streamed', async () => {
      const declared = await rawRequest(web.url, '/api/v1/small-uploads/x', {
        method: 'POST',
        headers: { 'content-length': String(5 * 1024 * 1024), 'content-type': 'text/plain' },
      });
      expect(declared.status).toBe(413);
      expect(sink.uploads).toHaveLength(0);

      const chunk = Buffer.alloc(256 * 1024, 1);
      const streamed = await request(`${web.url}/api/v1/small-uploads/x`, {
        method: 'POST',
        body: Readable.from(
          (function* () {
            for (let i = 0; i < 8; i++) yield chunk;
          })(),
        ),
      });
      expect(streamed.statusCode).toBe(413);
      expect((await streamed.body.json()) as { code: string }).toMatchObject({
        code: 'PAYLOAD_TOO_LARGE',
      });
    });
  });

  describe('canary split', () => {
    let canaryApp: RunningApp;

    beforeAll(async () => {
      canaryApp = await startApp(createWebBff, sandbox, {
        ...BARE,
        DOWNSTREAM_CATALOG_CANARY_URL: second.urls.catalog,
        WEB_BFF_ROUTES_FILE: routesFile('canary', [
          {
            name: 'catalog',
            prefix: '/api/v1/catalog',
            service: 'catalog',
            auth: 'public',
            canary: { weight: 10 },
          },
        ]),
      });
    });

    afterAll(async () => {
      await canaryApp?.app.close();
    });

    it('sends 10 % ± 3 % of 2000 callers to the canary', async () => {
      let failures = 0;
      await pooled(2000, 16, async () => {
        const res = await request(`${canaryApp.url}/api/v1/catalog/categories`, {
          headers: { cookie: `bff_sticky=${randomBytes(12).toString('base64url')}` },
        });
        await res.body.dump();
        if (res.statusCode !== 200) failures++;
      });
      expect(failures).toBe(0);
      const share = second.hits('catalog') / 2000;
      expect(sandbox.hits('catalog') + second.hits('catalog')).toBe(2000);
      expect(share).toBeGreaterThanOrEqual(0.07);
      expect(share).toBeLessThanOrEqual(0.13);
      // 2000 real round trips: about 2 s on an idle 2-core machine, several times that under load.
    }, 30_000);

    it('keeps an anonymous caller on one side (sticky cookie, issued on the first visit)', async () => {
      const first = await fetch(`${canaryApp.url}/api/v1/catalog/categories`);
      const cookie = /^bff_sticky=([A-Za-z0-9_-]+);/.exec(first.headers.get('set-cookie') ?? '');
      expect(cookie).not.toBeNull();
      const ids = Array.from({ length: 400 }, () => randomBytes(16).toString('base64url'));
      const canaried = ids.filter((id) => inCanary('catalog', id, 10)).slice(0, 3);
      const primary = ids.filter((id) => !inCanary('catalog', id, 10)).slice(0, 3);
      expect(canaried).toHaveLength(3);
      for (const [id, toCanary] of [
        ...canaried.map((id) => [id, true] as const),
        ...primary.map((id) => [id, false] as const),
      ]) {
        const before = second.hits('catalog');
        for (let i = 0; i < 5; i++) {
          const res = await fetch(`${canaryApp.url}/api/v1/catalog/categories`, {
            headers: { cookie: `theme=dark; bff_sticky=${id}` },
          });
          expect(res.status).toBe(200);
          expect(res.headers.get('set-cookie')).toBeNull();
        }
        expect(second.hits('catalog') - before).toBe(toCanary ? 5 : 0);
      }
    });

    it('keeps a signed-in user on one side, whatever cookie it sends', async () => {
      const subs = Array.from({ length: 400 }, (_, i) => `user-${i}`);
      const canaried = subs.filter((s) => inCanary('catalog', `service:${s}`, 10)).slice(0, 2);
      const primary = subs.filter((s) => !inCanary('catalog', `service:${s}`, 10)).slice(0, 2);
      for (const [sub, toCanary] of [
        ...canaried.map((s) => [s, true] as const),
        ...primary.map((s) => [s, false] as const),
      ]) {
        const before = second.hits('catalog');
        for (let i = 0; i < 4; i++) {
          const res = await fetch(`${canaryApp.url}/api/v1/catalog/categories`, {
            headers: {
              ...bearer(internalToken({ sub, aud: 'web-bff' })),
              cookie: `bff_sticky=${randomBytes(16).toString('base64url')}`,
            },
          });
          expect(res.status).toBe(200);
        }
        expect(second.hits('catalog') - before).toBe(toCanary ? 4 : 0);
      }
    });
  });

  describe('several instances', () => {
    let balanced: RunningApp;

    beforeAll(async () => {
      balanced = await startApp(createWebBff, sandbox, {
        ...BARE,
        DOWNSTREAM_CATALOG_URL: `${sandbox.urls.catalog},${second.urls.catalog}`,
        DOWNSTREAM_CATALOG_EJECT_AFTER: '3',
        DOWNSTREAM_CATALOG_EJECT_MS: '800',
      });
    });

    afterAll(async () => {
      await balanced?.app.close();
    });

    const call = async () => {
      const res = await request(`${balanced.url}/api/v1/catalog/products/prd_0001`);
      await res.body.dump();
      return res.statusCode;
    };

    it('round robin, passive ejection after 3 failures, re-admission after the cool-off', async () => {
      for (let i = 0; i < 10; i++) expect(await call()).toBe(200);
      expect(sandbox.hits('catalog')).toBe(5);
      expect(second.hits('catalog')).toBe(5);

      second.resetStats();
      sandbox.resetStats();
      second.faults.set('catalog', { errorRate: 1, errorStatus: 503 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push(await call());
      // Every other call went to the failing instance until its third failure ejected it.
      expect(second.hits('catalog')).toBe(3);
      expect(statuses.filter((s) => s === 503)).toHaveLength(3);
      expect(statuses.slice(6).every((s) => s === 200)).toBe(true);

      // After the cool-off it is tried again (one probe), and healthy again it gets its share.
      await sleep(900);
      second.faults.reset();
      for (let i = 0; i < 10; i++) expect(await call()).toBe(200);
      expect(second.hits('catalog')).toBeGreaterThanOrEqual(3 + 4);
    });

    it('least-pending steers calls away from a slow instance', async () => {
      const app = await startApp(createWebBff, sandbox, {
        ...BARE,
        DOWNSTREAM_CATALOG_URL: `${sandbox.urls.catalog},${second.urls.catalog}`,
        DOWNSTREAM_CATALOG_BALANCER: 'least-pending',
      });
      try {
        second.faults.set('catalog', { latencyMs: 300 });
        await pooled(200, 8, async () => {
          const res = await request(`${app.url}/api/v1/catalog/products/prd_0002`);
          await res.body.dump();
        });
        expect(sandbox.hits('catalog') + second.hits('catalog')).toBe(200);
        // Round robin would send 100 to the slow one.
        expect(second.hits('catalog')).toBeLessThan(40);
      } finally {
        await app.app.close();
      }
    });
  });

  describe('with every policy on (default config and route tables)', () => {
    it('web serves /api/v1/catalog/products/:id as a public pass-through, after the guards', async () => {
      // Downstream answers cacheable by default: the cache must still leave pass-through alone.
      const plain = await startApp(createWebBff, sandbox, { CACHE_DOWNSTREAM_DEFAULT_TTL_S: '30' });
      try {
        for (let i = 0; i < 3; i++) {
          const res = await fetch(`${plain.url}/api/v1/catalog/products/prd_0003`);
          expect(res.status).toBe(200);
          // Every time the full body: no policy (cache, single flight) may swallow a stream.
          expect((await json(res)).id).toBe('prd_0003');
          // The throttling guard ran before the proxy.
          expect(res.headers.get('ratelimit')).toBeTruthy();
        }
      } finally {
        await plain.app.close();
      }
    });

    it('a route with cacheTtlSeconds serves repeated GETs from the cache, per caller', async () => {
      const file = routesFile('cached', [
        {
          name: 'catalog',
          prefix: '/api/v1/catalog',
          service: 'catalog',
          auth: 'public',
          cacheTtlSeconds: 60,
        },
      ]);
      const cached = await startApp(createWebBff, sandbox, { WEB_BFF_ROUTES_FILE: file });
      const get = (path: string, headers: Record<string, string> = {}) =>
        fetch(`${cached.url}/api/v1/catalog${path}`, { headers });
      try {
        const first = await get('/products/prd_0010');
        expect(first.status).toBe(200);
        expect(first.headers.get('x-cache')).toBe('MISS');
        const body = await first.text();
        // The sandbox sends no freshness information: the route's TTL is the default.
        const second = await get('/products/prd_0010');
        expect(second.headers.get('x-cache')).toBe('HIT');
        expect(second.headers.get('age')).toMatch(/^\d+$/);
        expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
        expect(await second.text()).toBe(body);
        const head = await fetch(`${cached.url}/api/v1/catalog/products/prd_0010`, {
          method: 'HEAD',
        });
        expect(head.status).toBe(200);
        expect(head.headers.get('x-cache')).toBe('HIT');
        expect(sandbox.hits('catalog')).toBe(1);

        // A verified caller gets an entry of its own; nobody else ever receives it.
        const alice = bearer(internalToken({ sub: 'alice' }));
        const bob = bearer(internalToken({ sub: 'bob' }));
        expect((await get('/products/prd_0010', alice)).headers.get('x-cache')).toBe('MISS');
        expect((await get('/products/prd_0010', alice)).headers.get('x-cache')).toBe('HIT');
        const forBob = await get('/products/prd_0010', bob);
        expect(forBob.headers.get('x-cache')).toBe('MISS');
        expect(sandbox.hits('catalog')).toBe(3);

        // The default TTL is for 200s only: a 404 without freshness information is not reused.
        expect((await get('/products/prd_9999')).status).toBe(404);
        expect((await get('/products/prd_9999')).status).toBe(404);
        expect(sandbox.hits('catalog')).toBe(5);
      } finally {
        await cached.app.close();
      }
    });

    it('admin /api/v1/users/* needs the admin role', async () => {
      const admin = await startApp(createAdminBff, sandbox);
      try {
        expect((await fetch(`${admin.url}/api/v1/users/usr_0002`)).status).toBe(401);
        const res = await fetch(`${admin.url}/api/v1/users/usr_0002`, {
          headers: bearer(
            internalToken({ aud: 'admin-bff', roles: ['admin'], scope: 'users:read' }),
          ),
        });
        expect(res.status).toBe(200);
        expect((await json(res)).id).toBe('usr_0002');
        expect(sandbox.hits('users')).toBe(1);
      } finally {
        await admin.app.close();
      }
    });

    it('a bad route table stops start-up with the route and field named', async () => {
      const file = routesFile('bad', [
        { name: 'catalog', prefix: '/api/v1/catalog', service: 'catalgo', auth: 'public' },
      ]);
      await expect(startApp(createWebBff, sandbox, { WEB_BFF_ROUTES_FILE: file })).rejects.toThrow(
        /route "catalog": service "catalgo" is not in the downstream registry/,
      );
    });
  });
});
