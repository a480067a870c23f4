// What is measured: the BFF scenarios and the peers doing the same work. A BFF scenario lists
// candidates (ways to run it, best first); each is started and VERIFIED (the feature it needs must
// demonstrably work, e.g. a request without a token must get 401) before it is measured. When no
// candidate verifies, the scenario is reported as "n/a (feature missing: ...)", never faked.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort, startProcess, waitHttp } from './procs.mjs';
import { nginxConfig } from './tools.mjs';
import { BFF_NODE_FLAGS } from '../../scripts/node-flags.mjs';

const require = createRequire(import.meta.url);
const ROOT = new URL('../..', import.meta.url).pathname;
const SERVICES = ['users', 'orders', 'catalog', 'inventory', 'reviews'];
export const PASS_PATH = '/api/v1/catalog/products/prd_0001';
const PRODUCT_PAGE = '/products/prd_0001';
const HUGE = '1000000000';

/** Thrown by a verification: the scenario cannot run on this tree, with the reason. */
export class NotAvailable extends Error {}

const fail = (reason) => {
  throw new NotAvailable(reason);
};

export async function get(url, headers = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

const upstreamStats = async (ctx) => JSON.parse((await get(`${ctx.upstream}/__stats`)).text);

export function mainOf(app, root = ROOT) {
  return join(root, `dist/apps/${app}/apps/${app}/src/main.js`);
}

/** Environment of a BFF process: only what is set here (plus PATH/HOME), nothing inherited. */
function bffEnv(ctx, app, port, routesFile, extra) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    BFF_HOST: '127.0.0.1',
    WEB_BFF_PORT: '0',
    MOBILE_BFF_PORT: '0',
    ADMIN_BFF_PORT: '0',
    BFF_WORKERS: '1',
    LOG_LEVEL: 'warn',
    LOG_REQUESTS: 'false',
    BFF_DOCS_ENABLED: 'false',
    HEALTH_CRITICAL_SERVICES: 'none',
    AUTH_OIDC_ISSUERS: `${ctx.issuer} RS256`,
    WEB_BFF_ROUTES_FILE: 'none',
    MOBILE_BFF_ROUTES_FILE: 'none',
    ADMIN_BFF_ROUTES_FILE: 'none',
    RATE_LIMIT_KEY_PREFIX: `bench:${ctx.runId}:rl:`,
    CACHE_KEY_PREFIX: `bench:${ctx.runId}:c:`,
    CACHE_ENABLED: 'false',
    // No readiness drain on SIGTERM: the bench stops processes at once (and --cpu-prof needs a
    // clean exit before the stop's SIGKILL).
    SHUTDOWN_DELAY_MS: '0',
  };
  for (const tier of ['ANONYMOUS', 'STANDARD', 'PREMIUM']) {
    for (const limit of ['BURST', 'SUSTAINED', 'DAILY_QUOTA']) {
      env[`RATE_LIMIT_${tier}_${limit}`] = HUGE;
    }
  }
  for (const s of SERVICES) env[`DOWNSTREAM_${s.toUpperCase()}_URL`] = ctx.upstream;
  env[`${app.toUpperCase().replace('-', '_')}_PORT`] = String(port);
  if (routesFile) env[`${app.toUpperCase().replace('-', '_')}_ROUTES_FILE`] = routesFile;
  return { ...env, ...extra };
}

/** No policy at all: the bare cost of the BFF on a pass-through route. */
const NO_POLICIES = {
  RATE_LIMIT_ENABLED: 'false',
  METRICS_ENABLED: 'false',
  RESILIENCE_ENABLED: 'false',
  CACHE_ENABLED: 'false',
};
/** JWT (route `auth: required`) + rate limit (in memory) + /metrics, resilience on. */
const FULL_STACK = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_STORE: 'memory',
  METRICS_ENABLED: 'true',
};

async function startBff(ctx, name, { app = 'web-bff', env = {}, routes }) {
  const port = await freePort();
  let routesFile;
  if (routes) {
    routesFile = join(ctx.tmp, `${name}.routes.json`);
    writeFileSync(routesFile, JSON.stringify({ routes }, null, 2));
  }
  // --cpu-prof: V8 writes <name>.cpuprofile when the process exits.
  const prof = ctx.cpuProfDir
    ? ['--cpu-prof', '--cpu-prof-dir', ctx.cpuProfDir, '--cpu-prof-name', `${name}.cpuprofile`]
    : [];
  // ctx.root: another checkout's build (--base), measured in the same run.
  // The flags `npm start` gives a BFF (every build in the run, --base included).
  const proc = startProcess(
    name,
    process.execPath,
    [...prof, ...BFF_NODE_FLAGS, mainOf(app, ctx.root)],
    {
      cwd: ctx.root ?? ROOT,
      env: bffEnv(ctx, app, port, routesFile, env),
    },
  );
  proc.base = `http://127.0.0.1:${port}`;
  try {
    await waitHttp(`${proc.base}/health/live`, 60_000, () => proc.running);
  } catch (error) {
    await proc.stop();
    throw new Error(`${name} did not start: ${error.message}\n${proc.output()}`, { cause: error });
  }
  return proc;
}

const route = (extra) => ({
  name: 'bench-catalog',
  prefix: '/api/v1/catalog',
  service: 'catalog',
  auth: 'public',
  ...extra,
});

async function expectPassThrough(ctx, proc, headers = {}) {
  const r = await get(proc.base + PASS_PATH, headers);
  if (r.status === 404) fail('pass-through routes (libs/routing) not served by web-bff');
  if (r.status !== 200 || !r.text.includes('SKU-0001-BLK')) {
    fail(`pass-through route answered ${r.status}: ${r.text.slice(0, 160)}`);
  }
  return r;
}

async function expectProductPage(proc) {
  const r = await get(proc.base + PRODUCT_PAGE);
  if (r.status !== 200) fail(`product page answered ${r.status}: ${r.text.slice(0, 160)}`);
  const body = JSON.parse(r.text);
  if (body.product?.id !== 'prd_0001' || !body.reviews || !body.availability) {
    fail(`product page is not a full aggregate: ${r.text.slice(0, 160)}`);
  }
  return r;
}

/** Full stack: 401 without a token, 200 with it, rate-limit headers, bff_ metrics on /metrics. */
async function expectFullStack(ctx, proc) {
  const anon = await get(proc.base + PASS_PATH);
  if (anon.status === 404) fail('pass-through routes (libs/routing) not served by web-bff');
  const missing = [];
  if (anon.status !== 401) missing.push(`JWT auth (no token got ${anon.status}, not 401)`);
  const r = await get(proc.base + PASS_PATH, ctx.authHeaders);
  if (r.status !== 200)
    fail(`route with a valid token answered ${r.status}: ${r.text.slice(0, 200)}`);
  if (
    ![...r.headers.keys()].some((h) => h.startsWith('ratelimit') || h.startsWith('x-ratelimit'))
  ) {
    missing.push('rate limiting (no RateLimit headers on the route)');
  }
  const metrics = await get(`${proc.base}/metrics`);
  if (metrics.status !== 200 || !metrics.text.includes('bff_')) {
    missing.push(`/metrics (answered ${metrics.status})`);
  }
  if (missing.length > 0) fail(missing.join('; '));
}

async function redisKeys(ctx, pattern) {
  const mod = require('ioredis');
  const Redis = mod.Redis ?? mod.default ?? mod;
  const client = new Redis(ctx.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    return await client.keys(pattern);
  } finally {
    client.disconnect();
  }
}

/** Deletes the keys this run left in Redis (rate-limit counters, cache entries). */
export async function cleanRedis(ctx) {
  const mod = require('ioredis');
  const Redis = mod.Redis ?? mod.default ?? mod;
  const client = new Redis(ctx.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const keys = await client.keys(`bench:${ctx.runId}:*`);
    if (keys.length > 0) await client.del(...keys);
  } catch {
    // Nothing to clean when Redis is not there.
  } finally {
    client.disconnect();
  }
}

export async function redisReachable(url) {
  try {
    await redisKeys({ redisUrl: url }, 'bench:probe:none');
    return true;
  } catch {
    return false;
  }
}

async function expectBreakerOpen(ctx, proc, path) {
  // Enough failing calls to cross the breaker's minimum, then nothing may reach the upstream.
  for (let i = 0; i < 60; i++) await get(proc.base + path);
  const before = (await upstreamStats(ctx)).hits;
  const statuses = new Set();
  for (let i = 0; i < 30; i++) statuses.add((await get(proc.base + path)).status);
  const reached = (await upstreamStats(ctx)).hits - before;
  if (reached > 0)
    fail(`circuit breaker did not open (${reached} of 30 calls still reached the downstream)`);
  if ([...statuses].some((s) => s < 500)) fail(`breaker open answered ${[...statuses].join(',')}`);
}

async function expectCacheHit(ctx, proc) {
  await expectPassThrough(ctx, proc);
  const before = (await upstreamStats(ctx)).hits;
  for (let i = 0; i < 5; i++) await expectPassThrough(ctx, proc);
  if ((await upstreamStats(ctx)).hits !== before) {
    fail('route cache (cacheTtlSeconds) did not serve repeated GETs from cache');
  }
}

async function expectUserAgent(ctx, re, what) {
  const { userAgent } = await upstreamStats(ctx);
  if (!re.test(userAgent))
    fail(`${what} transport not used (downstream saw user-agent "${userAgent}")`);
}

const allServices = (suffix, value) =>
  Object.fromEntries(SERVICES.map((s) => [`DOWNSTREAM_${s.toUpperCase()}_${suffix}`, value]));

function transportCandidates(kind) {
  const re = kind === 'axios' ? /axios/i : /^(?!axios)/i;
  const env = { ...NO_POLICIES, ...allServices('TRANSPORT', kind) };
  return [
    {
      label: 'pass-through route',
      path: PASS_PATH,
      start: (ctx, name) => startBff(ctx, name, { env, routes: [route()] }),
      verify: async (ctx, proc) => {
        await expectPassThrough(ctx, proc);
        await expectUserAgent(ctx, re, kind);
      },
    },
    {
      label: 'product page (4 calls)',
      path: PRODUCT_PAGE,
      start: (ctx, name) => startBff(ctx, name, { env }),
      verify: async (ctx, proc) => {
        await expectProductPage(proc);
        await expectUserAgent(ctx, re, kind);
      },
    },
  ];
}

const upstreamAt = (ctx, prefix) => `${ctx.upstream}${prefix}`;

/**
 * Every target. `kind: 'peer'` targets are the comparison points; `bff` ones are the scenarios.
 * `headers(ctx)` are sent with every request; `expect` is the status the scenario is about.
 */
export const TARGETS = [
  {
    name: 'direct',
    kind: 'peer',
    title: 'direct call to the upstream',
    path: PASS_PATH,
    start: async (ctx) => ({ ...ctx.upstreamProc, base: ctx.upstream, shared: true }),
  },
  {
    name: 'nginx',
    kind: 'peer',
    title: 'nginx reverse proxy (1 worker, keep-alive upstream)',
    path: PASS_PATH,
    start: async (ctx, name) => {
      if (!ctx.nginx.path) throw new NotAvailable(ctx.nginx.reason);
      const port = await freePort();
      const args = nginxConfig(ctx.tmp, { port, upstreamPort: ctx.upstreamPort });
      const proc = startProcess(name, ctx.nginx.path, args);
      proc.base = `http://127.0.0.1:${port}`;
      await waitHttp(proc.base + PASS_PATH, 10_000, () => proc.running);
      return proc;
    },
  },
  ...['fastify-proxy', 'fast-gateway', 'express', 'express-full'].map((peer) => ({
    name: peer,
    kind: 'peer',
    title: {
      'fastify-proxy': 'bare @fastify/http-proxy',
      'fast-gateway': 'bare fast-gateway 3.4',
      express: 'Express 5 + http-proxy-middleware',
      'express-full':
        'Express 5 + jsonwebtoken + express-rate-limit + prom-client + http-proxy-middleware',
    }[peer],
    path: PASS_PATH,
    headers: peer === 'express-full' ? (ctx) => ctx.authHeaders : undefined,
    start: async (ctx, name) => {
      const proc = startProcess(
        name,
        process.execPath,
        [new URL('./peer.mjs', import.meta.url).pathname],
        {
          cwd: ROOT,
          readyLine: /READY (\d+)/,
          env: {
            PEER: peer,
            UPSTREAM: ctx.upstream,
            PORT: '0',
            BENCH_PUBLIC_KEY: ctx.publicKeyPem,
            BENCH_ISSUER: ctx.issuer,
          },
        },
      );
      proc.base = `http://127.0.0.1:${await proc.ready}`;
      return proc;
    },
    verify: async (ctx, proc) => {
      const r = await get(proc.base + PASS_PATH, peer === 'express-full' ? ctx.authHeaders : {});
      if (r.status !== 200) fail(`${peer} answered ${r.status}`);
      if (peer === 'express-full' && (await get(proc.base + PASS_PATH)).status !== 401) {
        fail('express-full did not refuse a request without a token');
      }
    },
  })),
  {
    name: 'passthrough',
    kind: 'bff',
    title: 'BFF pass-through route, no policies',
    candidates: [
      {
        label: 'web-bff route /api/v1/catalog',
        path: PASS_PATH,
        start: (ctx, name) => startBff(ctx, name, { env: NO_POLICIES, routes: [route()] }),
        verify: (ctx, proc) => expectPassThrough(ctx, proc),
      },
    ],
  },
  {
    name: 'full-stack',
    kind: 'bff',
    title: 'BFF pass-through + JWT (RS256/JWKS) + rate limit (memory) + metrics',
    headers: (ctx) => ctx.authHeaders,
    candidates: [
      {
        label: 'web-bff route, auth required',
        path: PASS_PATH,
        start: (ctx, name) =>
          startBff(ctx, name, { env: FULL_STACK, routes: [route({ auth: 'required' })] }),
        verify: (ctx, proc) => expectFullStack(ctx, proc),
      },
    ],
  },
  {
    name: 'full-stack-redis',
    kind: 'bff',
    title: 'same as full-stack, rate limits in Redis',
    headers: (ctx) => ctx.authHeaders,
    candidates: [
      {
        label: 'web-bff route, auth required, RATE_LIMIT_STORE=redis',
        path: PASS_PATH,
        start: (ctx, name) => {
          if (!ctx.redisOk) throw new NotAvailable(`Redis not reachable at ${ctx.redisUrl}`);
          return startBff(ctx, name, {
            env: { ...FULL_STACK, RATE_LIMIT_STORE: 'redis', REDIS_URL: ctx.redisUrl },
            routes: [route({ auth: 'required' })],
          });
        },
        verify: async (ctx, proc) => {
          await expectFullStack(ctx, proc);
          const keys = await redisKeys(ctx, `bench:${ctx.runId}:rl:*`);
          if (keys.length === 0) fail('no rate-limit counters were written to Redis');
        },
      },
    ],
  },
  {
    name: 'aggregation',
    kind: 'bff',
    title: 'product page: 4 calls to 3 services at 5/10/25 ms (target p50 <= 27 ms)',
    candidates: [
      {
        label: 'web-bff GET /products/:id',
        path: PRODUCT_PAGE,
        start: (ctx, name) =>
          startBff(ctx, name, {
            env: {
              METRICS_ENABLED: 'true',
              DOWNSTREAM_CATALOG_URL: upstreamAt(ctx, '/d5'),
              DOWNSTREAM_INVENTORY_URL: upstreamAt(ctx, '/d10'),
              DOWNSTREAM_REVIEWS_URL: upstreamAt(ctx, '/d25'),
            },
          }),
        verify: (ctx, proc) => expectProductPage(proc),
      },
    ],
  },
  {
    name: 'cache-hit',
    kind: 'bff',
    title: 'answered from the response cache (target >= 2x pass-through)',
    candidates: [
      {
        label: 'web-bff route with cacheTtlSeconds',
        path: PASS_PATH,
        start: (ctx, name) =>
          startBff(ctx, name, {
            env: { ...NO_POLICIES, CACHE_ENABLED: 'true' },
            routes: [route({ cacheTtlSeconds: 600 })],
          }),
        verify: (ctx, proc) => expectCacheHit(ctx, proc),
      },
      {
        // The cached shaped endpoint: the product page (@CacheResponse, public, 30 s).
        label: 'web-bff GET /products/:id from the response cache',
        path: PRODUCT_PAGE,
        start: (ctx, name) =>
          startBff(ctx, name, { env: { ...NO_POLICIES, CACHE_ENABLED: 'true' } }),
        verify: async (ctx, proc) => {
          await expectProductPage(proc);
          const before = (await upstreamStats(ctx)).hits;
          for (let i = 0; i < 5; i++) await expectProductPage(proc);
          if ((await upstreamStats(ctx)).hits !== before)
            fail('product page was not served from cache');
        },
      },
    ],
  },
  {
    name: 'breaker-open',
    kind: 'bff',
    title: 'downstream failing, circuit open: fast 503',
    expect: 503,
    candidates: [
      {
        label: 'web-bff route to a failing service',
        path: '/api/v1/orders/orders/ord_00001',
        start: (ctx, name) =>
          startBff(ctx, name, {
            env: {
              ...NO_POLICIES,
              RESILIENCE_ENABLED: 'true',
              DOWNSTREAM_ORDERS_URL: upstreamAt(ctx, '/s503'),
              DOWNSTREAM_ORDERS_BREAKER_HALF_OPEN_AFTER_MS: '3600000',
              DOWNSTREAM_ORDERS_RETRY_MAX_ATTEMPTS: '1',
            },
            routes: [route({ name: 'bench-orders', prefix: '/api/v1/orders', service: 'orders' })],
          }),
        verify: (ctx, proc) => expectBreakerOpen(ctx, proc, '/api/v1/orders/orders/ord_00001'),
      },
      {
        label: 'product page with catalog failing',
        path: PRODUCT_PAGE,
        start: (ctx, name) =>
          startBff(ctx, name, {
            env: {
              ...NO_POLICIES,
              RESILIENCE_ENABLED: 'true',
              DOWNSTREAM_CATALOG_URL: upstreamAt(ctx, '/s503'),
              DOWNSTREAM_CATALOG_BREAKER_HALF_OPEN_AFTER_MS: '3600000',
              DOWNSTREAM_CATALOG_RETRY_MAX_ATTEMPTS: '1',
              // Only catalog fails; the other parts would still reach the upstream.
              DOWNSTREAM_INVENTORY_URL: upstreamAt(ctx, '/s503'),
              DOWNSTREAM_REVIEWS_URL: upstreamAt(ctx, '/s503'),
              DOWNSTREAM_INVENTORY_BREAKER_HALF_OPEN_AFTER_MS: '3600000',
              DOWNSTREAM_REVIEWS_BREAKER_HALF_OPEN_AFTER_MS: '3600000',
              DOWNSTREAM_INVENTORY_RETRY_MAX_ATTEMPTS: '1',
              DOWNSTREAM_REVIEWS_RETRY_MAX_ATTEMPTS: '1',
            },
          }),
        verify: (ctx, proc) => expectBreakerOpen(ctx, proc, PRODUCT_PAGE),
      },
    ],
  },
  {
    name: 'transport-undici',
    kind: 'bff',
    title: 'same route, undici transport (default)',
    candidates: transportCandidates('undici'),
  },
  {
    name: 'transport-axios',
    kind: 'bff',
    title: 'same route, axios transport (DOWNSTREAM_<NAME>_TRANSPORT=axios)',
    candidates: transportCandidates('axios'),
  },
];
