import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Controller, Get, Param } from '@nestjs/common';
import Redis from 'ioredis';
import { register } from 'prom-client';
import { BffCacheModule, CacheResponse } from '@app/cache';
import type { Product } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';
import { platformDownstreamModule } from '@app/platform';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { ADMIN_SCOPES, type TestIssuer, startTestIssuer } from './support/auth';
import { type RunningApp, type Sandbox, json, startApp, startSandbox } from './support/stack';
import { freePort } from './support/free-port';
import { fixtureApp } from './support/fixture-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Redis of this test only: the machine's shared one on 6379 is never touched. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return child;
    } catch {
      await sleep(50);
    } finally {
      probe.disconnect();
    }
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

/** Small routes with 1 s freshness, to see stale windows without waiting for real TTLs. */
@Controller('fixture')
class FixtureController {
  constructor(private readonly downstream: DownstreamClient) {}

  private async product(id: string) {
    const product = await this.downstream.get<Product>('catalog', dpath`/products/${id}`);
    return { id: product.id, name: product.name, meta: { partial: [] as string[] } };
  }

  @Get('sie/:id')
  @CacheResponse({ ttl: 1, sie: 60, scope: 'public' })
  sie(@Param('id') id: string) {
    return this.product(id);
  }

  @Get('swr/:id')
  @CacheResponse({ ttl: 1, swr: 60, scope: 'public' })
  swr(@Param('id') id: string) {
    return this.product(id);
  }

  /** Not response-cached: only the downstream cache (default TTL 1 s, stale-if-error 60 s) acts. */
  @Get('raw/:id')
  raw(@Param('id') id: string) {
    return this.product(id);
  }
}

const createFixture = fixtureApp(() => ({
  imports: [BffCacheModule.forRoot({ app: 'fixture' }), platformDownstreamModule()],
  controllers: [FixtureController],
}));

describe('shared response cache (memory + Redis)', () => {
  let redis: ChildProcess;
  let sandbox: Sandbox;
  let issuer: TestIssuer;
  let web: RunningApp;
  let web2: RunningApp;
  let admin: RunningApp;
  let fixture: RunningApp;

  beforeAll(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    const env = {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      // Unique per run: nothing shared with other runs, even on the same Redis.
      CACHE_KEY_PREFIX: `cache-e2e-${randomBytes(4).toString('hex')}:`,
      RATE_LIMIT_ENABLED: 'false',
      BFF_DEADLINE_MS: '2000',
      ...issuer.env,
    };
    [web, web2, admin, fixture] = await Promise.all([
      startApp(createWebBff, sandbox, env),
      startApp(createWebBff, sandbox, env),
      startApp(createAdminBff, sandbox, env),
      startApp(createFixture, sandbox, {
        ...env,
        CACHE_DOWNSTREAM_DEFAULT_TTL_S: '1',
        CACHE_DOWNSTREAM_DEFAULT_SIE_S: '60',
      }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([web, web2, admin, fixture].map((a) => a?.app.close()));
    await sandbox?.close();
    await issuer?.close();
    if (redis !== undefined && redis.exitCode === null) redis.kill('SIGKILL');
  });

  afterEach(async () => {
    sandbox.faults.reset();
    await sandbox.settle();
    sandbox.resetStats();
  });

  const get = (app: RunningApp, path: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, { headers });
  const user = (sub: string) => issuer.headers({ sub, aud: 'web-bff' });
  const adminHeaders = () =>
    issuer.headers({ sub: 'staff_admin', roles: ['admin'], aud: 'admin-bff', scope: ADMIN_SCOPES });
  const purge = (body: unknown) =>
    fetch(`${admin.url}/ops/cache/purge`, {
      method: 'POST',
      headers: { ...adminHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  describe('public product pages', () => {
    it('stores the shaped page once: MISS then HIT with the same body, ETag, Cache-Control, Age', async () => {
      const first = await get(web, '/products/prd_0001');
      expect(first.status).toBe(200);
      expect(first.headers.get('x-cache')).toBe('MISS');
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expect(first.headers.get('cache-control')).toBe(
        'public, max-age=30, stale-while-revalidate=30, stale-if-error=300',
      );
      const body = await first.text();
      // The stored body is the shaped one: internal catalog fields are not in it.
      expect(JSON.parse(body).product.costPrice).toBeUndefined();
      expect(sandbox.hits('catalog')).toBe(2);

      const second = await get(web, '/products/prd_0001', { 'x-unrelated': 'changes nothing' });
      expect(second.headers.get('x-cache')).toBe('HIT');
      expect(second.headers.get('etag')).toBe(etag);
      expect(second.headers.get('age')).toMatch(/^\d+$/);
      expect(second.headers.get('content-type')).toContain('application/json');
      expect(await second.text()).toBe(body);
      expect(sandbox.hits('catalog')).toBe(2);
    });

    it('answers If-None-Match with 304 and no body', async () => {
      const first = await get(web, '/products/prd_0002');
      const etag = first.headers.get('etag') as string;
      const notModified = await get(web, '/products/prd_0002', { 'if-none-match': etag });
      expect(notModified.status).toBe(304);
      expect(await notModified.text()).toBe('');
      expect(notModified.headers.get('etag')).toBe(etag);
      const weak = await get(web, '/products/prd_0002', { 'if-none-match': `"x", W/${etag}` });
      expect(weak.status).toBe(304);
      const changed = await get(web, '/products/prd_0002', { 'if-none-match': '"other"' });
      expect(changed.status).toBe(200);
      expect((await json(changed)).product.id).toBe('prd_0002');
      // A fresh miss also honours a matching validator (another instance may have sent it).
      const other = await get(web2, '/products/prd_0002', { 'if-none-match': etag });
      expect(other.status).toBe(304);
    });

    it('makes one downstream fetch for 100 concurrent misses', async () => {
      sandbox.faults.set('catalog', { latencyMs: 150 });
      const responses = await Promise.all(
        Array.from({ length: 100 }, () => get(web, '/products/prd_0100')),
      );
      const bodies = await Promise.all(responses.map((r) => r.text()));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(new Set(bodies).size).toBe(1);
      expect(JSON.parse(bodies[0]).product.id).toBe('prd_0100');
      // One page = product + related on the catalog, one inventory and one reviews call.
      expect(sandbox.hits('catalog')).toBe(2);
      expect(sandbox.hits('inventory')).toBe(1);
      expect(sandbox.hits('reviews')).toBe(1);
    });

    it('never stores a partial page', async () => {
      sandbox.faults.set('reviews', { errorRate: 1 });
      const partial = await get(web, '/products/prd_0150');
      expect(partial.status).toBe(200);
      expect(partial.headers.get('x-partial-response')).toBe('reviews');
      expect(partial.headers.get('cache-control')).toBe('no-store');
      expect(partial.headers.get('etag')).toBeNull();
      sandbox.faults.reset('reviews');
      sandbox.resetStats();
      const complete = await get(web, '/products/prd_0150');
      expect(complete.headers.get('x-cache')).toBe('MISS');
      expect((await json(complete)).meta.partial).toEqual([]);
      expect(sandbox.hits('reviews')).toBe(1);
    });

    it('does not let unknown query parameters split or bypass validation', async () => {
      await get(web, '/products/prd_0004');
      sandbox.resetStats();
      const busted = await get(web, '/products/prd_0004?x=1');
      expect(busted.status).toBe(200);
      expect(busted.headers.get('x-cache')).toBeNull();
      const invalid = await get(web, '/home?userId=../../etc');
      expect(invalid.status).toBe(400);
    });
  });

  describe('per-user pages', () => {
    it('keys /home by the verified user: B never receives A’s page', async () => {
      const a1 = await get(web, '/home', user('usr_0001'));
      const b1 = await get(web, '/home', user('usr_0002'));
      const a2 = await get(web, '/home', user('usr_0001'));
      const b2 = await get(web, '/home', user('usr_0002'));
      const anon = await get(web, '/home');
      expect((await json(a1)).user.id).toBe('usr_0001');
      expect((await json(b1)).user.id).toBe('usr_0002');
      expect(a2.headers.get('x-cache')).toBe('HIT');
      expect(b2.headers.get('x-cache')).toBe('HIT');
      expect((await json(a2)).user.id).toBe('usr_0001');
      expect((await json(b2)).user.id).toBe('usr_0002');
      expect(b2.headers.get('cache-control')).toMatch(/^private, max-age=15/);
      expect((await json(anon)).user).toBeUndefined();
      // Credentials nobody verified are never answered from a shared entry.
      const cookie = await get(web, '/home', { cookie: 'sid=forged' });
      expect(cookie.headers.get('x-cache')).not.toBe('HIT');
      expect((await json(cookie)).user).toBeUndefined();
    });

    it('path tricks never reach another user’s cached order', async () => {
      const page = await json(
        await fetch(`${sandbox.urls.orders}/orders?userId=usr_0003&pageSize=1`),
      );
      const orderId: string = page.items[0].id;
      const ownerEmail: string = (await json(await fetch(`${sandbox.urls.users}/users/usr_0003`)))
        .email;
      const mine = await get(web, `/orders/${orderId}`, user('usr_0003'));
      expect(mine.status).toBe(200);
      expect(await mine.text()).toContain(ownerEmail);
      expect((await get(web, `/orders/${orderId}`, user('usr_0003'))).headers.get('x-cache')).toBe(
        'HIT',
      );

      const tricks = [
        `/orders/${orderId}`,
        `/orders/${orderId}/`,
        `/orders/${orderId}/..%2f`,
        `/orders/${orderId}/..%2f${orderId}`,
        `/orders/${orderId}%2e`,
        `/orders/${orderId}.`,
        `/orders/${orderId}/x.css`,
        `/orders/${orderId};x.css`,
        `/orders/${orderId}?format=.css`,
        `/ORDERS/${orderId}`,
        `/orders/${orderId.toUpperCase()}`,
        `//orders/${orderId}`,
        `/orders/%2e%2e/orders/${orderId}`,
        '/me/x.css',
      ];
      for (const path of tricks) {
        for (const headers of [user('usr_0004'), {}]) {
          const res = await get(web, path, headers);
          const text = await res.text();
          expect({
            path,
            leaked: text.includes(ownerEmail),
            hit: res.headers.get('x-cache'),
          }).toEqual({
            path,
            leaked: false,
            hit: null,
          });
        }
      }
    });
  });

  describe('stale data', () => {
    it('serves a stale page, marked, while the catalog is in outage (stale-if-error)', async () => {
      const first = await get(fixture, '/fixture/sie/prd_0005');
      const fresh = await json(first);
      await sleep(1_100);
      sandbox.faults.set('catalog', { outage: true });
      const stale = await get(fixture, '/fixture/sie/prd_0005');
      expect(stale.status).toBe(200);
      expect(stale.headers.get('x-cache')).toBe('STALE');
      expect(stale.headers.get('cache-control')).toBe('no-store');
      expect(await json(stale)).toEqual({ ...fresh, meta: { partial: [], stale: true } });
      // Without a stored copy, the outage is an error as before.
      expect((await get(fixture, '/fixture/sie/prd_0006')).status).toBe(503);
    });

    it('serves stale while one background refresh runs (stale-while-revalidate)', async () => {
      await get(fixture, '/fixture/swr/prd_0007');
      await sleep(1_100);
      sandbox.resetStats();
      // A slow refresh: stale answers must not wait for it.
      sandbox.faults.set('catalog', { latencyMs: 300 });
      const started = performance.now();
      const stale = await Promise.all(
        Array.from({ length: 5 }, () => get(fixture, '/fixture/swr/prd_0007')),
      );
      expect(performance.now() - started).toBeLessThan(250);
      expect(stale.map((r) => r.headers.get('x-cache'))).toEqual(Array(5).fill('STALE'));
      await sleep(500);
      expect(sandbox.hits('catalog')).toBe(1);
      expect((await get(fixture, '/fixture/swr/prd_0007')).headers.get('x-cache')).toBe('HIT');
    });

    it('answers from a stale downstream copy when the call fails and its breaker opens', async () => {
      const first = await json(await get(fixture, '/fixture/raw/prd_0008'));
      await get(fixture, '/fixture/raw/prd_0008');
      expect(sandbox.hits('catalog')).toBe(1); // the downstream GET was cached (default TTL 1 s)
      await sleep(1_100);
      sandbox.faults.set('catalog', { outage: true });
      for (let i = 0; i < 25; i++) {
        const res = await get(fixture, '/fixture/raw/prd_0008');
        expect(res.status).toBe(200);
        expect(res.headers.get('x-cache')).toBe('STALE');
        expect(await json(res)).toEqual({ ...first, meta: { partial: [], stale: true } });
      }
    });
  });

  describe('two instances sharing Redis, and invalidation', () => {
    it('a second instance is served from level 2 without a downstream call', async () => {
      await get(web, '/products/prd_0009');
      sandbox.resetStats();
      const res = await get(web2, '/products/prd_0009');
      expect(res.headers.get('x-cache')).toBe('HIT');
      expect(sandbox.hits('catalog')).toBe(0);
    });

    it('purges by tag everywhere (memory of every instance and Redis)', async () => {
      await get(web, '/products/prd_0010');
      await get(web2, '/products/prd_0010');
      const res = await purge({ tag: 'product:prd_0010' });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ redis: 1, broadcast: true });
      // Pub/sub is asynchronous: give the other instances a moment.
      let state: string | null = 'HIT';
      for (let i = 0; i < 20 && state === 'HIT'; i++) {
        await sleep(25);
        state = (await get(web2, '/products/prd_0010')).headers.get('x-cache');
      }
      expect(state).toBe('MISS');
    });

    it('purges by prefix and validates the request', async () => {
      await get(web, '/products/prd_0011');
      const ok = await purge({ prefix: 'r:web-bff:/products/' });
      expect(ok.status).toBe(200);
      expect((await json(ok)).redis).toBeGreaterThan(0);
      expect((await purge({})).status).toBe(400);
      expect((await purge({ prefix: 'r:', tag: 'x' })).status).toBe(400);
      expect((await purge({ tag: 'with space' })).status).toBe(400);
      const anonymous = await fetch(`${admin.url}/ops/cache/purge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tag: 'x' }),
      });
      expect(anonymous.status).toBe(401);
    });

    it('the admin status change drops the cached order page', async () => {
      const list = await json(
        await fetch(`${sandbox.urls.orders}/orders?userId=usr_0005&status=pending&pageSize=1`),
      );
      const orderId: string = list.items[0].id;
      await get(web, `/orders/${orderId}`, user('usr_0005'));
      expect((await get(web, `/orders/${orderId}`, user('usr_0005'))).headers.get('x-cache')).toBe(
        'HIT',
      );
      const patched = await fetch(`${admin.url}/orders/${orderId}/status`, {
        method: 'PATCH',
        headers: { ...adminHeaders(), 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'paid' }),
      });
      expect(patched.status).toBe(200);
      await sleep(100);
      const after = await get(web, `/orders/${orderId}`, user('usr_0005'));
      expect(after.headers.get('x-cache')).toBe('MISS');
      expect((await json(after)).status).toBe('paid');
    });

    it('counts hits, misses and stale answers on the default registry', async () => {
      const metric = register.getSingleMetric('bff_cache_requests_total');
      const values = (await metric?.get())?.values ?? [];
      const count = (layer: string, result: string) =>
        values.find((v) => v.labels.layer === layer && v.labels.result === result)?.value ?? 0;
      expect(count('response', 'hit')).toBeGreaterThan(0);
      expect(count('response', 'miss')).toBeGreaterThan(0);
      expect(count('response', 'stale')).toBeGreaterThan(0);
      expect(count('response', 'coalesced')).toBeGreaterThan(0);
      expect(count('downstream', 'stale')).toBeGreaterThan(0);
    });
  });

  describe('Redis failures', () => {
    const timedGet = async (app: RunningApp, path: string) => {
      const started = performance.now();
      const res = await get(app, path);
      const body = await json(res);
      return { res, body, ms: performance.now() - started };
    };

    it('a hung Redis is bypassed after a short timeout', async () => {
      await get(web, '/products/prd_0012'); // warm the connection pools
      redis.kill('SIGSTOP');
      try {
        for (const id of ['prd_0013', 'prd_0014', 'prd_0015']) {
          const { res, body, ms } = await timedGet(web2, `/products/${id}`);
          expect(res.status).toBe(200);
          expect(body.product.id).toBe(id);
          expect(ms).toBeLessThan(1_000);
        }
      } finally {
        redis.kill('SIGCONT');
      }
    });

    it('Redis killed mid-test: every answer stays correct, memory still serves', async () => {
      await get(web, '/products/prd_0016');
      redis.kill('SIGKILL');
      await new Promise((resolve) => redis.once('exit', resolve));

      const cached = await timedGet(web, '/products/prd_0016');
      expect(cached.res.status).toBe(200);
      expect(cached.res.headers.get('x-cache')).toBe('HIT');
      for (const app of [web, web2]) {
        for (const id of ['prd_0017', 'prd_0018']) {
          const { res, body, ms } = await timedGet(app, `/products/${id}`);
          expect(res.status).toBe(200);
          expect(body.product.id).toBe(id);
          expect(ms).toBeLessThan(1_000);
        }
      }
      const home = await timedGet(web, '/home');
      expect(home.res.status).toBe(200);
      const purged = await purge({ tag: 'product:prd_0016' });
      expect(purged.status).toBe(200);
      expect(await json(purged)).toEqual({
        memory: 0,
        redis: 0,
        broadcast: false,
        scope: 'local',
        instance: expect.any(String),
        acknowledged: [],
        expected: 0,
      });
    });
  });
});
