import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { register } from 'prom-client';
import { Redis } from 'ioredis';
import { rawRequest } from './support/raw-http';
import { until } from './support/redis-server';
import { SHARED_REDIS_URL } from './support/shared-redis';
import { type RunningApp, type Sandbox, json, startApp, startSandbox } from './support/stack';

/**
 * The shared HTTP cache on pass-through routes (RFC 9111) against an origin that reflects what
 * it received: poisoning attempts, Vary, revalidation, HEAD, invalidation across two instances
 * sharing Redis, and the metrics.
 */

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

/** Reflects each request in its JSON body; response headers per path prefix are set by tests. */
class ReflectingOrigin {
  readonly seen: Seen[] = [];
  headersFor = new Map<string, Record<string, string>>();
  status = 200;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      const path = (req.url ?? '').split('?')[0];
      if (path === '/big') {
        // 2 MiB, unsized: larger than an entry may be (CACHE_MAX_ENTRY_BYTES, 1 MiB by default).
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'cache-control': 'max-age=60',
        });
        for (let i = 0; i < 32; i++) res.write(Buffer.alloc(64 * 1024, 97));
        res.end();
        return;
      }
      const extra = [...this.headersFor.entries()].find(([p]) => path.startsWith(p))?.[1] ?? {};
      const etag = extra.etag;
      if (etag !== undefined && req.headers['if-none-match']?.includes(etag)) {
        res.writeHead(304, extra).end();
        return;
      }
      const body = JSON.stringify({
        url: req.url,
        host: req.headers['x-forwarded-host'] ?? null,
        originalUrl: req.headers['x-original-url'] ?? null,
        foo: req.headers.foo ?? null,
        lang: req.headers['accept-language'] ?? null,
        n: this.seen.length,
      });
      res.writeHead(this.status, { 'content-type': 'application/json', ...extra }).end(body);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  hits(path: string): number {
    return this.seen.filter((s) => s.url.split('?')[0] === path).length;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function routesFile(): string {
  const file = join(
    tmpdir(),
    `bff-http-cache-${process.pid}-${randomBytes(4).toString('hex')}.json`,
  );
  writeFileSync(
    file,
    JSON.stringify({
      routes: [
        {
          name: 'origin',
          prefix: '/o',
          service: 'origin',
          auth: 'public',
          methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
          cacheTtlSeconds: 3600,
          cacheDefaultTtlSeconds: 0,
        },
      ],
    }),
  );
  return file;
}

describe('shared HTTP cache on pass-through routes (RFC 9111)', () => {
  let sandbox: Sandbox;
  let origin: ReflectingOrigin;
  let a: RunningApp;
  let b: RunningApp;
  const prefix = `bff:test:httpcache:${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    sandbox = await startSandbox();
    origin = new ReflectingOrigin();
    await origin.start();
    const env = {
      WEB_BFF_ROUTES_FILE: routesFile(),
      DOWNSTREAM_SERVICES: 'users,orders,catalog,inventory,reviews,origin',
      DOWNSTREAM_ORIGIN_URL: origin.url,
      REDIS_URL: SHARED_REDIS_URL,
      CACHE_KEY_PREFIX: prefix,
      RATE_LIMIT_ENABLED: 'false',
    };
    a = await startApp(createWebBff, sandbox, env);
    b = await startApp(createWebBff, sandbox, env);
  });

  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await origin?.close();
    await sandbox?.close();
  });

  const get = (app: RunningApp, path: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/o${path}`, { headers });

  it('never lets unkeyed input reach a later clean client (Host, X-Forwarded-*, X-Original-URL, GET body, query)', async () => {
    origin.headersFor.set('/poison', { 'cache-control': 'public, max-age=300' });
    // The attacker's request, sent raw so that Host and a GET body go through as written.
    const attack = await rawRequest(a.url, '/o/poison', {
      headers: {
        host: 'evil.example',
        // What fetch sends for the clean client below: the keyed headers match.
        accept: '*/*',
        'accept-language': '*',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'javascript',
        'x-original-url': '/admin',
        'x-rewrite-url': '/admin',
        foo: 'evil',
        'content-type': 'application/json',
        'content-length': '15',
      },
      body: '{"evil":"body"}',
    });
    expect(attack.status).toBe(200);
    const reflected = JSON.parse(attack.body) as Record<string, unknown>;
    expect(reflected.host).toBeNull();
    expect(reflected.originalUrl).toBeNull();
    expect(reflected.foo).toBeNull();
    const request = origin.seen.at(-1) as Seen;
    expect(request.headers['x-forwarded-proto']).toBe('http');
    expect(request.headers['content-length'] ?? '0').toBe('0');

    const clean = await get(a, '/poison');
    expect(clean.headers.get('x-cache')).toBe('HIT');
    const body = await json(clean);
    expect(body.host).toBeNull();
    expect(JSON.stringify(body)).not.toContain('evil');
    // An unkeyed query parameter cannot ride along: the whole query is the key.
    const withQuery = await get(a, '/poison?utm=%3Cscript%3E');
    expect(withQuery.headers.get('x-cache')).toBe('MISS');
    expect((await get(a, '/poison')).headers.get('x-cache')).toBe('HIT');
    expect(origin.hits('/poison')).toBe(2);
  });

  it('keys the route headers and the origin Vary: variants never cross', async () => {
    origin.headersFor.set('/vary', { 'cache-control': 'public, max-age=300', vary: 'Foo' });
    const one = await json(await get(a, '/vary', { foo: '1', 'accept-language': 'fr' }));
    expect(one.lang).toBe('fr');
    const again = await get(a, '/vary', { foo: '1', 'accept-language': 'fr' });
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(
      (await get(a, '/vary', { foo: '2', 'accept-language': 'fr' })).headers.get('x-cache'),
    ).toBe('MISS');
    const german = await get(a, '/vary', { foo: '1', 'accept-language': 'de' });
    expect(german.headers.get('x-cache')).toBe('MISS');
    expect((await json(german)).lang).toBe('de');
    origin.headersFor.set('/vstar', { 'cache-control': 'public, max-age=300', vary: '*' });
    await get(a, '/vstar');
    expect((await get(a, '/vstar')).headers.get('x-cache')).toBe('MISS');
    const many = Array.from({ length: 100 }, (_, i) => `H${i}`).join(', ');
    origin.headersFor.set('/vmany', { 'cache-control': 'public, max-age=300', vary: many });
    await get(a, '/vmany');
    expect((await get(a, '/vmany')).headers.get('x-cache')).toBe('MISS');
  });

  it('follows the origin: max-age, no-store, no-cache, private, Set-Cookie, malformed Cache-Control', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['/fresh', { 'cache-control': 'max-age=300' }, 'HIT'],
      ['/nostore', { 'cache-control': 'no-store, max-age=300' }, 'MISS'],
      ['/private', { 'cache-control': 'private, max-age=300' }, 'MISS'],
      ['/cookie', { 'cache-control': 'max-age=300', 'set-cookie': 'a=1' }, 'MISS'],
      ['/bad', { 'cache-control': 'max-age=abc' }, 'MISS'],
      ['/none', {}, 'MISS'],
    ];
    for (const [path, headers, expected] of cases) {
      origin.headersFor.set(path, headers);
      expect((await get(a, path)).status).toBe(200);
      const second = await get(a, path);
      expect([path, second.status, second.headers.get('x-cache')]).toEqual([path, 200, expected]);
    }
    // Hits keep the origin's end-to-end headers and carry a correct Age.
    origin.headersFor.set('/headers', {
      'cache-control': 'max-age=300',
      'x-custom': 'kept',
      age: '10',
    });
    await get(a, '/headers');
    const hit = await get(a, '/headers');
    expect(hit.headers.get('x-custom')).toBe('kept');
    expect(hit.headers.get('cache-control')).toBe('max-age=300');
    expect(Number(hit.headers.get('age'))).toBeGreaterThanOrEqual(10);
  });

  it('revalidates a stale answer with a conditional request; 304 refreshes it; HEAD and conditionals from the cache', async () => {
    origin.headersFor.set('/reval', { 'cache-control': 'max-age=1', etag: '"v1"' });
    const first = await get(a, '/reval');
    expect(first.headers.get('etag')).toBe('"v1"');
    const before = origin.hits('/reval');
    const head = await fetch(`${a.url}/o/reval`, { method: 'HEAD' });
    expect([head.status, head.headers.get('x-cache')]).toEqual([200, 'HIT']);
    // Raw: fetch adds `Cache-Control: no-cache` to conditional requests (which forces revalidation).
    const conditional = await rawRequest(a.url, '/o/reval', {
      headers: { 'if-none-match': '"v1"', accept: '*/*', 'accept-language': '*' },
    });
    expect(conditional.status).toBe(304);
    expect(conditional.head).toMatch(/x-cache: HIT/i);
    expect(conditional.body).toBe('');
    expect(origin.hits('/reval')).toBe(before);
    await sleep(1_200);
    const revalidated = await get(a, '/reval');
    expect(revalidated.status).toBe(200);
    expect(revalidated.headers.get('x-cache')).toBe('REVALIDATED');
    expect(origin.seen.at(-1)?.headers['if-none-match']).toBe('"v1"');
    expect((await get(a, '/reval')).headers.get('x-cache')).toBe('HIT');
  });

  it('a successful unsafe request invalidates the path and its Location, on every instance (Redis)', async () => {
    origin.headersFor.set('/items', { 'cache-control': 'public, max-age=300' });
    // The store to Redis is not awaited by the answer: wait for it (not a fixed sleep, which a
    // loaded machine outlasts).
    const redis = new Redis(SHARED_REDIS_URL);
    const stored = async () => (await redis.keys(`${prefix}*`)).length;
    const before = await stored();
    await get(a, '/items/1');
    try {
      await until(async () => (await stored()) > before, 5_000, 'the entry to reach Redis');
    } finally {
      redis.disconnect();
    }
    expect((await get(b, '/items/1')).headers.get('x-cache')).toBe('HIT');
    expect((await get(a, '/items/1')).headers.get('x-cache')).toBe('HIT');
    const del = await fetch(`${a.url}/o/items/1`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    // The purge reaches b by pub/sub: b answers from its memory tier until it arrives.
    let after: string | null = 'HIT';
    await until(
      async () => (after = (await get(b, '/items/1')).headers.get('x-cache')) !== 'HIT',
      5_000,
      'the purge to reach b',
    );
    expect(after).toBe('MISS');
    expect((await get(a, '/items/1')).headers.get('x-cache')).toBe('HIT');

    // Location of a POST answer names another stored path: it goes too.
    await get(a, '/items/2');
    origin.headersFor.set('/create', { location: '/items/2' });
    expect((await fetch(`${a.url}/o/create`, { method: 'POST' })).status).toBe(200);
    expect((await get(a, '/items/2')).headers.get('x-cache')).toBe('MISS');
    // A failed unsafe request invalidates nothing.
    origin.status = 500;
    await fetch(`${a.url}/o/items/2`, { method: 'DELETE' });
    origin.status = 200;
    expect((await get(a, '/items/2')).headers.get('x-cache')).toBe('HIT');
  });

  it('streams an answer too large to store, whole, and stores nothing', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await get(a, '/big');
      expect(res.headers.get('x-cache')).toBe('MISS');
      expect((await res.arrayBuffer()).byteLength).toBe(2 * 1_048_576);
    }
    expect(origin.hits('/big')).toBe(2);
  });

  it('counts hits, misses, revalidations and refused stores per route', async () => {
    const metric = register.getSingleMetric('bff_cache_requests_total');
    const values = (await metric?.get())?.values ?? [];
    const count = (result: string) =>
      values.find(
        (v) =>
          v.labels.layer === 'proxy' && v.labels.route === 'origin' && v.labels.result === result,
      )?.value ?? 0;
    expect(count('hit')).toBeGreaterThanOrEqual(8);
    expect(count('miss')).toBeGreaterThanOrEqual(10);
    expect(count('revalidated')).toBeGreaterThanOrEqual(1);
    const refused =
      (await register.getSingleMetric('bff_cache_store_refused_total')?.get())?.values ?? [];
    const reasons = new Set(
      refused.filter((v) => v.labels.route === 'origin').map((v) => v.labels.reason),
    );
    for (const reason of [
      'vary-star',
      'vary-too-large',
      'set-cookie',
      'malformed-cache-control',
      'not-storable',
    ]) {
      expect(reasons).toContain(reason);
    }
  });
});
