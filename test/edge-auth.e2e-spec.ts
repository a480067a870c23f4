import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { AuthModule, Public } from '@app/auth';
import { BffConfig, loadConfig } from '@app/config';
import { Deadline } from '@app/core';
import {
  MemoryRateLimitStore,
  RateLimit,
  type RateLimitStore,
  ThrottlingModule,
} from '@app/throttling';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { createMobileBff } from '../apps/mobile-bff/src/mobile-bff.app';
import { SANDBOX_SERVICES } from '../apps/sandbox/src/sandbox';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import {
  ADMIN_SCOPES,
  type TestIssuer,
  bearer,
  internalHeaders,
  startTestIssuer,
} from './support/auth';
import { type WalkedRoute, describeRoute, walkRoutes } from './support/route-walk';
import { rateLimitItems } from './support/structured-fields';
import {
  type RunningApp,
  type Sandbox,
  json,
  sandboxEnv,
  startApp,
  startSandbox,
} from './support/stack';
import { SHARED_REDIS_URL } from './support/shared-redis';
import { createFixtureApp, startFixtureApp } from './support/fixture-app';

/**
 * Issue 13, items 8, 10 and 11: the rate limit before authentication, the endpoint deadline over
 * everything before the handler, and scopes on every admin route with a default-deny route walk.
 * Timing bounds have a generous margin (a busy 2-core machine); the figures are in the README.
 */

/** Added to every deadline in timing assertions. */
const MARGIN_MS = 2_500;

/** An answer read whole (the body as JSON when it is JSON). */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

const read = async (res: Response): Promise<Answer> => {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  return { status: res.status, headers: res.headers, body };
};

const statuses = (responses: readonly { status: number }[]) => responses.map((r) => r.status);

describe('edge: limits before auth, deadline over guards, scopes, default deny', () => {
  let sandbox: Sandbox;
  let issuer: TestIssuer;

  beforeAll(async () => {
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
  });

  afterAll(async () => {
    await sandbox?.close();
    await issuer?.close();
  });

  afterEach(() => {
    sandbox.faults.reset();
    sandbox.resetStats();
  });

  const downstreamHits = () => SANDBOX_SERVICES.reduce((n, s) => n + sandbox.hits(s), 0);

  describe('rate limiting before authentication (IP limit -> auth -> tier limit)', () => {
    // Five tokens per address, no refill during a test; X-Forwarded-For (behind the trusted
    // 127.0.0.1) gives each case its own client address.
    const limits = {
      TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_BURST_WINDOW_SECONDS: '3600',
      RATE_LIMIT_SUSTAINED_WINDOW_SECONDS: '3600',
      RATE_LIMIT_ANONYMOUS_BURST: '5',
      RATE_LIMIT_ANONYMOUS_SUSTAINED: '0',
      RATE_LIMIT_ANONYMOUS_DAILY_QUOTA: '0',
      AUTH_JWKS_COOLDOWN_MS: '60000',
    };
    let web: RunningApp;
    const forgingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    let next = 10;
    const freshAddress = () => `192.0.2.${next++}`;

    beforeAll(async () => {
      web = await startApp(createWebBff, sandbox, { ...issuer.env, ...limits });
    });

    afterAll(async () => {
      await web?.app.close();
    });

    /** `n` requests one after the other from `address`, each with fresh credentials. */
    const flood = async (
      app: RunningApp | RunningApp[],
      n: number,
      credentials: () => Record<string, string>,
      address: string,
      path = '/orders/ord_00001',
    ) => {
      const apps = Array.isArray(app) ? app : [app];
      const out: Answer[] = [];
      for (let i = 0; i < n; i++) {
        const target = apps[i % apps.length];
        const res = await fetch(`${target.url}${path}`, {
          headers: { ...credentials(), 'x-forwarded-for': address },
        });
        out.push(await read(res));
      }
      return out;
    };

    const junkKey = () => `bffk_${randomBytes(32).toString('base64url')}`;
    const floods: [string, () => Record<string, string>][] = [
      ['rotating junk tokens', () => bearer(randomBytes(24).toString('base64url'))],
      ['forged signatures', () => issuer.headers({}, { key: forgingKey })],
      ['unknown key ids', () => issuer.headers({}, { kid: randomUUID() })],
      ['expired tokens', () => issuer.headers({ iat: 1_000, exp: 2_000 })],
      ['bad API keys', () => ({ 'x-api-key': junkKey() })],
      ['no credentials at all', () => ({})],
    ];

    it.each(floods)(
      '%s: 401 until the address has spent its tokens, then 429 before auth; no downstream call',
      async (_kind, credentials) => {
        const jwksBefore = issuer.jwksHits();
        const answers = await flood(web, 30, credentials, freshAddress());
        const codes = statuses(answers);
        expect(new Set(codes)).toEqual(new Set([401, 429]));
        // Five tokens, and the sixth refusal finds the bucket empty: from then on, 429.
        expect(codes.slice(0, 6)).toEqual(Array(6).fill(401));
        expect(codes.slice(6)).toEqual(Array(24).fill(429));
        const refused = answers[29];
        expect(refused.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(300);
        expect(refused.headers.get('ratelimit-policy')).toBe('"burst";q=5;w=3600');
        // Refused before any credential was looked at: no challenge, no key fetch.
        expect(refused.headers.get('www-authenticate')).toBeNull();
        expect(issuer.jwksHits() - jwksBefore).toBeLessThanOrEqual(1);
        expect(downstreamHits()).toBe(0);
      },
    );

    it('a blocked address is refused whoever calls from it; other addresses and probes are served', async () => {
      const blocked = freshAddress();
      await flood(web, 6, () => ({}), blocked);
      const fromBlocked = await fetch(`${web.url}/home`, {
        headers: { ...issuer.headers({ sub: 'usr_0003' }), 'x-forwarded-for': blocked },
      });
      expect(fromBlocked.status).toBe(429);
      const elsewhere = await fetch(`${web.url}/home`, {
        headers: { ...issuer.headers({ sub: 'usr_0003' }), 'x-forwarded-for': freshAddress() },
      });
      expect(elsewhere.status).toBe(200);
      const probe = await fetch(`${web.url}/health/live`, {
        headers: { 'x-forwarded-for': blocked },
      });
      expect(probe.status).toBe(200);
    });

    it('verified callers spend from their own tier, never from the address (tier semantics kept)', async () => {
      // Anonymous browsing spends the address's anonymous bucket (product page = 2 tokens)...
      const address = freshAddress();
      const browsing = await flood(web, 4, () => ({}), address, '/products/prd_0001');
      expect(statuses(browsing)).toEqual([200, 200, 429, 429]);
      // ...which does not touch a verified caller from the same address: its own tier bucket.
      const verified = await fetch(`${web.url}/products/prd_0001`, {
        headers: { ...issuer.headers({ sub: 'usr_0005' }), 'x-forwarded-for': address },
      });
      expect(verified.status).toBe(200);
      expect(verified.headers.get('ratelimit-policy')).toMatch(/^"burst";q=50;w=3600/);

      // Internal callers stay unlimited, even 40 at once from one address with 5 anonymous tokens.
      const internal = freshAddress();
      const parallel = await Promise.all(
        Array.from({ length: 40 }, () =>
          fetch(`${web.url}/products/prd_0002`, {
            headers: { ...internalHeaders({ aud: 'web-bff' }), 'x-forwarded-for': internal },
          }),
        ),
      );
      expect(new Set(statuses(parallel))).toEqual(new Set([200]));
    });

    it('with a shared Redis store, the refused bucket is shared by every instance', async () => {
      const shared = {
        ...issuer.env,
        ...limits,
        REDIS_URL: SHARED_REDIS_URL,
        RATE_LIMIT_KEY_PREFIX: `edge-${randomUUID()}:`,
      };
      const a = await startApp(createWebBff, sandbox, shared);
      const b = await startApp(createWebBff, sandbox, shared);
      try {
        // Wait until both instances count in Redis: one user's calls on A then B share a bucket.
        const started = Date.now();
        for (let probe = 0; ; probe++) {
          const user = issuer.headers({ sub: `probe_${probe}` });
          await (await fetch(`${a.url}/products/prd_0001`, { headers: user })).arrayBuffer();
          const second = await fetch(`${b.url}/products/prd_0001`, { headers: user });
          await second.arrayBuffer();
          if (rateLimitItems(second.headers.get('ratelimit') ?? '').burst?.r === 46) break;
          if (Date.now() - started > 10_000) throw new Error('instances not sharing Redis');
          await new Promise((r) => setTimeout(r, 50));
        }
        // The probes' product pages may still have parts in flight: count from a quiet sandbox.
        for (let last = -1; downstreamHits() !== last;) {
          last = downstreamHits();
          await new Promise((r) => setTimeout(r, 200));
        }
        sandbox.resetStats();
        const codes = statuses(
          await flood(
            [a, b],
            30,
            () => bearer(randomBytes(24).toString('base64url')),
            freshAddress(),
          ),
        );
        // Five tokens in all (not five per instance); each instance learns of the block from its
        // own first denied refusal (the sixth and seventh requests), then refuses before auth.
        expect(codes.slice(0, 7)).toEqual(Array(7).fill(401));
        expect(codes.slice(7)).toEqual(Array(23).fill(429));
        expect(downstreamHits()).toBe(0);
      } finally {
        await a.app.close();
        await b.app.close();
      }
    });
  });

  describe('the endpoint deadline counts from arrival and bounds guards', () => {
    it('a hung JWKS fetch in the auth guard answers 504 at the deadline, not at its own timeout', async () => {
      const slow = await startTestIssuer({ jwksDelayMs: 30_000 });
      const web = await startApp(createWebBff, sandbox, {
        ...slow.env,
        BFF_DEADLINE_MS: '1000',
        AUTH_JWKS_TIMEOUT_MS: '30000',
      });
      try {
        for (const path of ['/orders/ord_00001', '/home']) {
          const started = performance.now();
          const res = await fetch(`${web.url}${path}`, { headers: slow.headers() });
          const ms = performance.now() - started;
          expect(res.status).toBe(504);
          expect(await json(res)).toMatchObject({ code: 'DEADLINE_EXCEEDED', statusCode: 504 });
          expect(ms).toBeGreaterThanOrEqual(950);
          expect(ms).toBeLessThan(1_000 + MARGIN_MS);
        }
        expect(downstreamHits()).toBe(0);
      } finally {
        await web.app.close();
        await slow.close();
      }
    });

    describe('any guard, the rate-limit store, @Deadline per route and per controller (fixture app)', () => {
      const held: (() => void)[] = [];
      const hold = () => new Promise<void>((resolve) => held.push(resolve));
      let handled = 0;

      /** Holds requests sent with `x-stuck: 1` until released: a guard waiting on a hung service. */
      @Injectable()
      class StuckGuard implements CanActivate {
        async canActivate(context: ExecutionContext): Promise<boolean> {
          const request = context.switchToHttp().getRequest<FastifyRequest>();
          if (request.headers['x-stuck'] === '1') await hold();
          return true;
        }
      }

      /** A rate-limit store that hangs on the `stuck` bucket (a frozen Redis without timeout). */
      class HangingStore extends MemoryRateLimitStore {
        override consume(...args: Parameters<RateLimitStore['consume']>) {
          if (args[0].includes(':stuck:')) return hold().then(() => super.consume(...args));
          return super.consume(...args);
        }
      }

      @Controller('deadline')
      class DeadlineController {
        @Get('default')
        byDefault() {
          handled++;
          return { ok: true };
        }

        @Get('long')
        @Deadline(1_600)
        long() {
          handled++;
          return { ok: true };
        }

        @Get('limited')
        @RateLimit({ bucket: 'stuck' })
        limited() {
          handled++;
          return { ok: true };
        }
      }

      @Controller('deadline-class')
      @Deadline(1_200)
      class ClassDeadlineController {
        @Get()
        get() {
          handled++;
          return { ok: true };
        }
      }

      let app: NestFastifyApplication;
      let url: string;

      beforeAll(async () => {
        const config = loadConfig({
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
          BFF_DEADLINE_MS: '800',
        });
        ({ app, url } = await startFixtureApp(config, {
          imports: [ThrottlingModule.forRoot({ store: new HangingStore({ maxKeys: 100 }) })],
          controllers: [DeadlineController, ClassDeadlineController],
          providers: [{ provide: APP_GUARD, useClass: StuckGuard }],
        }));
      });

      afterAll(async () => {
        for (const release of held.splice(0)) release();
        await app?.close();
      });

      it.each([
        ['a guard', '/deadline/default', { 'x-stuck': '1' }, 800],
        ['the rate-limit store', '/deadline/limited', {}, 800],
        ['a guard, @Deadline(1600) on the handler', '/deadline/long', { 'x-stuck': '1' }, 1_600],
        [
          'a guard, @Deadline(1200) on the controller',
          '/deadline-class',
          { 'x-stuck': '1' },
          1_200,
        ],
      ])('%s hung: 504 at the route deadline', async (_what, path, headers, deadline) => {
        const started = performance.now();
        const res = await fetch(`${url}${path}`, { headers });
        const ms = performance.now() - started;
        expect(res.status).toBe(504);
        expect(await json(res)).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
        expect(ms).toBeGreaterThanOrEqual(deadline - 50);
        expect(ms).toBeLessThan(deadline + MARGIN_MS);
      });

      it('the handler never starts once the deadline has passed, even when the guard comes back', async () => {
        for (const release of held.splice(0)) release();
        await new Promise((r) => setTimeout(r, 100));
        expect(handled).toBe(0);
        // Unhindered requests are served.
        expect((await fetch(`${url}/deadline/default`)).status).toBe(200);
        expect((await fetch(`${url}/deadline-class`)).status).toBe(200);
        expect(handled).toBe(2);
      });
    });
  });

  describe('scopes on admin routes', () => {
    let admin: RunningApp;

    beforeAll(async () => {
      admin = await startApp(createAdminBff, sandbox, {
        AUTH_OIDC_ISSUERS: `${issuer.url},${sandbox.idp.issuer}`,
      });
    });

    afterAll(async () => {
      await admin?.app.close();
    });

    const as = (roles: string[], scope: string) =>
      issuer.headers({ sub: `staff_${roles.join('_')}`, roles, aud: 'admin-bff', scope });
    const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
      fetch(`${admin.url}${path}`, {
        method,
        headers: {
          ...headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const pendingOrder = async (): Promise<string> => {
      const list = await json(
        await call('GET', '/orders?status=pending&pageSize=1', as(['admin'], 'orders:read')),
      );
      sandbox.resetStats();
      return list.items[0].id as string;
    };

    it('an admin token whose only scope is catalog:read cannot change an order status', async () => {
      const id = await pendingOrder();
      const res = await call('PATCH', `/orders/${id}/status`, as(['admin'], 'catalog:read'), {
        status: 'paid',
      });
      expect(res.status).toBe(403);
      expect(await json(res)).toMatchObject({ statusCode: 403, code: 'INSUFFICIENT_SCOPE' });
      expect(res.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="admin-bff", error="insufficient_scope", .*scope="orders:write"$/,
      );
      expect(sandbox.hits('orders')).toBe(0);
      // Roles still apply on top of scopes: support with every scope cannot write either.
      const support = await call('PATCH', `/orders/${id}/status`, as(['support'], ADMIN_SCOPES), {
        status: 'paid',
      });
      expect(support.status).toBe(403);
      expect(sandbox.hits('orders')).toBe(0);
      const ok = await call('PATCH', `/orders/${id}/status`, as(['admin'], 'orders:write'), {
        status: 'paid',
        reason: 'payment confirmed',
      });
      expect(ok.status).toBe(200);
    });

    it.each([
      ['GET', '/users?pageSize=1', ['admin', 'support'], 'users:read'],
      ['GET', '/orders?pageSize=1', ['admin', 'support'], 'orders:read'],
      ['GET', '/orders/ord_00001', ['admin', 'support'], 'orders:read'],
      ['GET', '/ops/circuits', ['admin'], 'ops:read'],
      ['POST', '/ops/cache/purge', ['admin'], 'cache:purge'],
      ['GET', '/api/v1/users/usr_0002', ['admin'], 'users:read'],
    ])('%s %s needs %s and %s', async (method, path, roles, scope) => {
      const body = method === 'POST' ? { tag: 'product:prd_0001' } : undefined;
      const others = ADMIN_SCOPES.split(' ')
        .filter((s) => s !== scope)
        .join(' ');
      for (const role of roles) {
        const without = await call(method, path, as([role], others), body);
        expect(without.status).toBe(403);
        expect(await json(without)).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
      }
      expect(downstreamHits()).toBe(0);
      for (const role of roles) {
        expect((await call(method, path, as([role], scope), body)).status).toBe(200);
      }
    });

    it('the dev IdP and `npm run token` issue the scopes: all by default, fewer on request', async () => {
      const token = async (...extra: string[]) => {
        const { stdout } = await promisify(execFile)(process.execPath, [
          'scripts/token.mjs',
          ...[
            '--idp',
            sandbox.idp.issuer,
            '--sub',
            'alice',
            '--roles',
            'admin',
            '--aud',
            'admin-bff',
          ],
          ...extra,
        ]);
        return bearer(stdout.trim());
      };
      const id = await pendingOrder();
      const narrow = await call(
        'PATCH',
        `/orders/${id}/status`,
        await token('--scope', 'catalog:read'),
        {
          status: 'cancelled',
        },
      );
      expect(narrow.status).toBe(403);
      const full = await call('PATCH', `/orders/${id}/status`, await token(), {
        status: 'cancelled',
      });
      expect(full.status).toBe(200);
    });
  });

  describe('default deny: every route of the three apps declares who may call it', () => {
    /**
     * Routes registered on Fastify directly, which no Nest guard sees, each with the reason it
     * needs no declaration. Anything else outside Nest fails the walk.
     */
    const NATIVE: readonly [RegExp, string][] = [
      [/^\/auth\/(login|callback)$/, 'session sign-in flow (OIDC code + PKCE), public by nature'],
      [/^\/auth\/(logout|user)$/, 'session endpoints: need the session cookie and X-CSRF'],
      [/^\/auth\/backchannel-logout$/, 'OIDC back-channel logout: the IdP-signed logout token'],
      [/^\/docs(\/|$)/, 'OpenAPI document and UI (BFF_DOCS_ENABLED)'],
      [/^\*$/, 'CORS preflight (OPTIONS), answered by @fastify/cors'],
      [
        /^\/graphql$/,
        'GraphQL facade: its preHandler runs the auth guard (public, identity optional)',
      ],
    ];
    const undeclared = (routes: readonly WalkedRoute[]) =>
      routes
        .filter((r) =>
          r.source === 'fastify' ? !NATIVE.some(([pattern]) => pattern.test(r.url)) : !r.declared,
        )
        .map(describeRoute);

    const walk = async (factory: (config: BffConfig) => Promise<NestFastifyApplication>) => {
      const { app, routes } = await walkRoutes(() => factory(loadConfig(sandboxEnv(sandbox))));
      await app.close();
      return routes;
    };

    it.each([
      ['web-bff', createWebBff],
      ['mobile-bff', createMobileBff],
      ['admin-bff', createAdminBff],
    ])('%s: no route without a declared authorization', async (name, factory) => {
      const routes = await walk(factory);
      expect(routes.filter((r) => r.source !== 'fastify').length).toBeGreaterThan(3);
      expect(undeclared(routes)).toEqual([]);
      if (name === 'admin-bff') {
        // Every admin route that is not public says which scopes it needs.
        const unscoped = routes.filter(
          (r) => r.source !== 'fastify' && r.mode === 'required' && r.scopes.length === 0,
        );
        expect(unscoped.map(describeRoute)).toEqual([]);
      }
    });

    it('flags a route that declares nothing, and a route registered outside Nest', async () => {
      @Controller('fixture')
      class UndeclaredController {
        @Get('open')
        open() {
          return {};
        }

        @Get('public')
        @Public()
        declared() {
          return {};
        }
      }
      const routes = await walk(async (config) => {
        const app = await createFixtureApp(config, {
          imports: [AuthModule.forRoot({ audience: 'web-bff' })],
          controllers: [UndeclaredController],
        });
        app
          .getHttpAdapter()
          .getInstance()
          .get('/side-door', async () => ({}));
        return app;
      });
      expect(undeclared(routes).sort()).toEqual([
        'GET /fixture/open',
        'GET /side-door',
        'HEAD /fixture/open',
        'HEAD /side-door',
      ]);
    });
  });
});
