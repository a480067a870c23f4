import { randomBytes } from 'node:crypto';
import { generateApiKey, hashApiKey, newApiKeyRecord } from '@app/auth';
import { createRedisClient, closeRedisClient, whenReady } from '@app/redis';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { type TestIssuer, startTestIssuer } from './support/auth';
import { CookieJar } from './support/oidc-login';
import { RedisProcess, pingRedis, until } from './support/redis-server';
import {
  type RunningWeb,
  freePort,
  loginThroughBff,
  startSessionSandbox,
  startSessionWeb,
} from './support/session-stack';
import { type RunningApp, type Sandbox, startApp } from './support/stack';
import { rateLimitItems } from './support/structured-fields';

/**
 * A frozen Redis (SIGSTOP: connections stay open, nothing is answered) must cost a request at most
 * the command timeout of each Redis call on its path, never the length of the freeze; after SIGCONT
 * everything is shared again without a restart. Two web BFFs and an admin BFF share a private
 * redis-server for rate limits, cache and purges, sessions, API keys and the audit stream.
 */

const COMMAND_TIMEOUT_MS = 300; // sessions, API keys, audit stream
const RATE_LIMIT_TIMEOUT_MS = 100;
const CACHE_TIMEOUT_MS = 50;
/** The most one request waits on Redis: every timeout on its path, once. */
const REDIS_BUDGET_MS = COMMAND_TIMEOUT_MS + RATE_LIMIT_TIMEOUT_MS + CACHE_TIMEOUT_MS;
/** Generous: two cores shared by several test runs. */
const MARGIN_MS = 1_000;
const FREEZE_MS = 3_000;

interface Timed {
  res: Response;
  body: string;
  ms: number;
}

async function timed(request: Promise<Response>): Promise<Timed> {
  const started = performance.now();
  const res = await request;
  const body = await res.text();
  return { res, body, ms: performance.now() - started };
}

describe('Redis frozen (SIGSTOP) under every store', () => {
  let redis: RedisProcess;
  let sandbox: Sandbox;
  let issuer: TestIssuer;
  let a: RunningWeb;
  let b: RunningWeb;
  let admin: RunningApp;
  let cookie: string;
  let apiKey: string;
  const run = randomBytes(4).toString('hex');
  let clientIp = 0;
  let productId = 199;
  /** A product page no instance has seen yet (the sandbox has prd_0001 to prd_0300). */
  const freshProduct = () => `prd_${String(++productId).padStart(4, '0')}`;

  beforeAll(async () => {
    redis = await RedisProcess.start();
    const [portA, portB] = [await freePort(), await freePort()];
    sandbox = await startSessionSandbox([portA, portB]);
    issuer = await startTestIssuer();
    const shared = {
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      RATE_LIMIT_REDIS_TIMEOUT_MS: String(RATE_LIMIT_TIMEOUT_MS),
      CACHE_REDIS_TIMEOUT_MS: String(CACHE_TIMEOUT_MS),
      RATE_LIMIT_KEY_PREFIX: `rf-${run}:`,
      CACHE_KEY_PREFIX: `rf-${run}:cache:`,
      // Long windows and a roomy anonymous tier: counts are exact and nothing is refused.
      RATE_LIMIT_BURST_WINDOW_SECONDS: '3600',
      RATE_LIMIT_SUSTAINED_WINDOW_SECONDS: '3600',
      RATE_LIMIT_ANONYMOUS_BURST: '1000',
      RATE_LIMIT_ANONYMOUS_SUSTAINED: '10000',
      RATE_LIMIT_ANONYMOUS_DAILY_QUOTA: '100000',
      TRUSTED_PROXIES: '127.0.0.1',
      SESSION_STORE: 'redis',
      AUTH_API_KEYS_STORE: 'redis',
      // Every API key lookup goes to Redis.
      AUTH_API_KEYS_CACHE_MS: '0',
    };
    [a, b, admin] = await Promise.all([
      startSessionWeb(sandbox, portA, shared),
      startSessionWeb(sandbox, portB, shared),
      startApp(createAdminBff, sandbox, {
        ...shared,
        ...issuer.env,
        AUDIT_REDIS_STREAM: `rf-${run}:audit`,
      }),
    ]);

    const jar = new CookieJar();
    await loginThroughBff(jar, a.url, 'usr_0035');
    cookie = jar.header(a.url);

    apiKey = generateApiKey();
    await storeApiKey();
  });

  /** Puts the test's API key in the private Redis (again after a restart wiped it). */
  const storeApiKey = async (): Promise<void> => {
    const record = newApiKeyRecord(apiKey, { client: `faults-${run}`, tier: 'standard' });
    const keys = createRedisClient({ url: redis.url, use: 'api-keys', commandTimeoutMs: 2_000 });
    try {
      await whenReady(keys, 2_000);
      await keys.hset('bff:apikeys', hashApiKey(apiKey), JSON.stringify(record));
    } finally {
      closeRedisClient(keys);
    }
  };

  afterAll(async () => {
    redis?.thaw();
    await Promise.all([a, b, admin].map((app) => app?.app.close()));
    await redis?.kill();
    await sandbox?.close();
    await issuer?.close();
  });

  const withSession = (url: string) =>
    timed(fetch(`${url}/auth/user`, { headers: { cookie, 'x-csrf': '1' } }));
  const withApiKey = (url: string, product = 'prd_0001') =>
    timed(fetch(`${url}/products/${product}`, { headers: { 'x-api-key': apiKey } }));
  /** An anonymous caller from a fresh address (behind the trusted proxy): a fresh bucket. */
  const anonymous = (url: string, product: string, ip = `198.51.100.${++clientIp % 250}`) =>
    timed(fetch(`${url}/products/${product}`, { headers: { 'x-forwarded-for': ip } }));
  const purge = (tag: string) =>
    timed(
      fetch(`${admin.url}/ops/cache/purge`, {
        method: 'POST',
        headers: {
          ...issuer.headers({
            sub: 'staff_ops',
            roles: ['admin'],
            aud: 'admin-bff',
            scope: 'cache:purge',
          }),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ tag }),
      }),
    );

  /** True when A and B draw from one Redis bucket (the second request sees the first's spend). */
  const rateLimitsShared = async (): Promise<boolean> => {
    const ip = `203.0.113.${++clientIp % 250}`;
    const first = await anonymous(a.url, 'prd_0002', ip);
    const second = await anonymous(b.url, 'prd_0002', ip);
    const r1 = rateLimitItems(first.res.headers.get('ratelimit')!).burst.r;
    const r2 = rateLimitItems(second.res.headers.get('ratelimit')!).burst.r;
    return first.res.status === 200 && r2 === r1 - (1000 - r1);
  };

  it('answers every kind of request within the Redis timeouts while Redis is frozen, and shares everything again after SIGCONT', async () => {
    // Before: everything shared.
    expect((await withSession(b.url)).res.status).toBe(200);
    expect((await withApiKey(b.url)).res.status).toBe(200);
    expect(await rateLimitsShared()).toBe(true);
    const cachedByA = await anonymous(a.url, 'prd_0101');
    expect(cachedByA.res.headers.get('x-cache')).toBe('MISS');

    redis.freeze();
    const frozenAt = performance.now();
    const answers: { kind: string; status: number; ms: number }[] = [];
    const record = (kind: string, t: Timed) =>
      answers.push({ kind, status: t.res.status, ms: Math.round(t.ms) });
    let round = 0;
    while (performance.now() - frozenAt < FREEZE_MS) {
      round++;
      const [session, key, limited, cached, purged] = await Promise.all([
        withSession(round % 2 ? a.url : b.url),
        withApiKey(round % 2 ? b.url : a.url),
        anonymous(round % 2 ? a.url : b.url, freshProduct()),
        // Stored in Redis by A before the freeze; B has no copy in memory.
        anonymous(b.url, 'prd_0101'),
        purge(`product:prd_0${300 + round}`),
      ]);
      record('session', session);
      record('api-key', key);
      record('rate-limited', limited);
      record('cached', cached);
      record('purge', purged);
      if (round === 1) {
        // Fail closed, with the documented codes; fail open, served.
        expect(JSON.parse(session.body)).toMatchObject({ code: 'SESSION_BACKEND_UNAVAILABLE' });
        expect(JSON.parse(key.body)).toMatchObject({ code: 'AUTH_PROVIDER_UNAVAILABLE' });
      }
    }
    // The freeze outlasted many requests: none of them waited for it to end.
    expect(round).toBeGreaterThanOrEqual(3);
    // Redis was frozen all along (it answers nothing, not even a PING).
    expect(await pingRedis(redis.port)).toBe(false);
    const statuses = (kind: string) => [
      ...new Set(answers.filter((x) => x.kind === kind).map((x) => x.status)),
    ];
    expect(statuses('session')).toEqual([503]);
    expect(statuses('api-key')).toEqual([503]);
    expect(statuses('rate-limited')).toEqual([200]);
    expect(statuses('cached')).toEqual([200]);
    expect(statuses('purge')).toEqual([200]);
    const slow = answers.filter((x) => x.ms > REDIS_BUDGET_MS + MARGIN_MS);
    expect(slow).toEqual([]);

    redis.thaw();
    // Shared again without a restart: rate limits...
    await until(rateLimitsShared, 10_000, 'rate limits shared again');
    // ...sessions and API keys on both instances...
    for (const url of [a.url, b.url]) {
      expect((await withSession(url)).res.status).toBe(200);
      expect((await withApiKey(url, 'prd_0003')).res.status).toBe(200);
    }
    // ...the cache: what A stores, B reads from Redis...
    await until(
      async () => {
        const product = freshProduct();
        await anonymous(a.url, product);
        // A writes level 2 in the background.
        await new Promise((r) => setTimeout(r, 100));
        return (await anonymous(b.url, product)).res.headers.get('x-cache') === 'HIT';
      },
      10_000,
      'cache level 2 shared again',
    );
    // ...and purges reach the other instances through pub/sub.
    const product = 'prd_0150';
    await anonymous(a.url, product);
    expect((await anonymous(a.url, product)).res.headers.get('x-cache')).toBe('HIT');
    await until(
      async () => JSON.parse((await purge(`product:${product}`)).body).broadcast === true,
      10_000,
      'purge broadcast again',
    );
    await until(
      async () => (await anonymous(a.url, product)).res.headers.get('x-cache') === 'MISS',
      5_000,
      'purge seen by web A',
    );
  }, 60_000);

  it('Redis killed: uncached API-key lookups and session requests answer 503 at once; all shared again after a restart', async () => {
    await redis.kill();
    const answers: { kind: string; status: number; ms: number }[] = [];
    for (let i = 0; i < 5; i++) {
      for (const [kind, t] of [
        ['api-key', await withApiKey(i % 2 ? a.url : b.url)],
        ['session', await withSession(i % 2 ? b.url : a.url)],
        ['rate-limited', await anonymous(a.url, freshProduct())],
      ] as const) {
        answers.push({ kind, status: t.res.status, ms: Math.round(t.ms) });
      }
    }
    expect([...new Set(answers.map((x) => `${x.kind} ${x.status}`))].sort()).toEqual([
      'api-key 503',
      'rate-limited 200',
      'session 503',
    ]);
    // No offline queue, no retry: nothing waits for a reconnect (an API-key lookup used to take 1 s).
    expect(answers.filter((x) => x.ms > 500)).toEqual([]);

    await redis.start();
    await storeApiKey(); // a restarted Redis without persistence has lost it
    await until(rateLimitsShared, 10_000, 'rate limits shared after the restart');
    await until(
      async () => (await withApiKey(a.url)).res.status === 200,
      10_000,
      'API keys served after the restart',
    );
    expect((await withApiKey(b.url)).res.status).toBe(200);
    // The session itself died with Redis: a clean 401, not a 503.
    expect((await withSession(b.url)).res.status).toBe(401);
  }, 60_000);
});
