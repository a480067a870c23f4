import { hashApiKey, runApiKeyCli } from '@app/auth';
import { Redis } from 'ioredis';
import { loadConfig } from '@app/config';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { SANDBOX_SERVICES } from '../apps/sandbox/src/sandbox';
import { startIdp } from '../apps/sandbox/src/idp/idp.server';
import type { SandboxIdp } from '../apps/sandbox/src/idp/idp.types';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import {
  ADMIN_SCOPES,
  TEST_INTERNAL_ISSUER,
  type TestIssuer,
  bearer,
  hs256,
  internalToken,
  signJwt,
  startTestIssuer,
} from './support/auth';
import {
  type RunningApp,
  type Sandbox,
  json,
  sandboxEnv,
  startApp,
  startSandbox,
} from './support/stack';
import { SHARED_REDIS_URL } from './support/shared-redis';

/** A rejection must be cheap: no downstream call, no key fetch. Tolerant of a busy 2-core CI. */
const FAST_MS = 150;

describe('auth: bearer JWTs, API keys, roles, user context, audit', () => {
  let sandbox: Sandbox;
  let issuer: TestIssuer;
  let web: RunningApp;
  let admin: RunningApp;
  const auditPath = join(tmpdir(), `bff-auth-audit-${process.pid}-${Date.now()}.log`);
  const keysFile = join(tmpdir(), `bff-auth-keys-${process.pid}-${Date.now()}.json`);

  beforeAll(async () => {
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    const env = {
      ...issuer.env,
      AUTH_JWKS_COOLDOWN_MS: '60000',
      AUTH_API_KEYS_FILE: keysFile,
      // Refused credentials are rate limited per address before authentication
      // (test/edge-auth.e2e-spec.ts); here every refusal must show its own 401.
      RATE_LIMIT_ANONYMOUS_BURST: '100000',
      RATE_LIMIT_ANONYMOUS_SUSTAINED: '0',
    };
    web = await startApp(createWebBff, sandbox, env);
    admin = await startApp(createAdminBff, sandbox, { ...env, AUDIT_LOG_PATH: auditPath });
  });

  afterAll(async () => {
    await web?.app.close();
    await admin?.app.close();
    await sandbox?.close();
    await issuer?.close();
    await rm(auditPath, { force: true });
    await rm(keysFile, { force: true });
  });

  afterEach(() => {
    sandbox.faults.reset();
    sandbox.resetStats();
  });

  const totalHits = () => SANDBOX_SERVICES.reduce((n, s) => n + sandbox.hits(s), 0);

  const call = async (app: RunningApp, path: string, headers: Record<string, string> = {}) => {
    const started = performance.now();
    const res = await fetch(`${app.url}${path}`, { headers });
    const body = await json(res);
    return { res, body, ms: performance.now() - started };
  };

  /** The order's owner, looked up directly (not counted: stats are reset). */
  const ownerOf = async (orderId: string): Promise<string> => {
    const order = await json(await fetch(`${sandbox.urls.orders}/orders/${orderId}`));
    sandbox.resetStats();
    return order.userId as string;
  };

  /** 401 invalid_token, JSON body, fast, and no downstream saw anything. */
  async function expectInvalidToken(token: string, app = web, path = '/orders/ord_00001') {
    const { res, body, ms } = await call(app, path, bearer(token));
    expect(res.status).toBe(401);
    expect(body).toMatchObject({ statusCode: 401, code: 'INVALID_TOKEN' });
    expect(body.requestId).toEqual(expect.any(String));
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="(web|admin)-bff", error="invalid_token", error_description="[^"]+"$/,
    );
    expect(ms).toBeLessThan(FAST_MS);
    expect(totalHits()).toBe(0);
    return body;
  }

  describe('bearer tokens of an OIDC issuer (discovery + JWKS)', () => {
    it('accepts a valid token: the owner sees their order', async () => {
      const owner = await ownerOf('ord_00001');
      const { res, body } = await call(web, '/orders/ord_00001', issuer.headers({ sub: owner }));
      expect(res.status).toBe(200);
      expect(body.id).toBe('ord_00001');
    });

    it('401 without credentials, with a plain Bearer challenge', async () => {
      const { res, body, ms } = await call(web, '/orders/ord_00001');
      expect(res.status).toBe(401);
      expect(body).toMatchObject({ code: 'UNAUTHORIZED', message: 'Authentication is required' });
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="web-bff"');
      expect(ms).toBeLessThan(FAST_MS);
      expect(totalHits()).toBe(0);
    });

    it('refuses a forged signature', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const body = await expectInvalidToken(issuer.token({}, { key: privateKey }));
      expect(body.message).toMatch(/signature/);
    });

    it('refuses alg none, signed or not', async () => {
      const claims = { iss: issuer.url, sub: 'usr_0001', aud: 'web-bff', exp: 9_999_999_999 };
      await expectInvalidToken(signJwt({ alg: 'none', typ: 'at+jwt' }, claims, () => ''));
      await expectInvalidToken(signJwt({ alg: 'none', typ: 'at+jwt' }, claims, () => 'c2ln'));
      await expectInvalidToken(signJwt({ alg: 'NoNe', typ: 'at+jwt' }, claims, () => 'c2ln'));
    });

    it('refuses key confusion: HS256 signed with the issuer public key', async () => {
      const pem = issuer.current.publicKey.export({ type: 'spki', format: 'pem' });
      const claims = {
        iss: issuer.url,
        sub: 'usr_0001',
        aud: 'web-bff',
        client_id: 'x',
        exp: Math.floor(Date.now() / 1000) + 300,
      };
      const header = { alg: 'HS256', typ: 'at+jwt', kid: issuer.current.kid };
      const body = await expectInvalidToken(signJwt(header, claims, hs256(pem)));
      expect(body.message).toMatch(/algorithm/);
      // Same with the JWK modulus as secret, and without a kid.
      const n = String(issuer.current.publicKey.export({ format: 'jwk' }).n);
      await expectInvalidToken(signJwt({ alg: 'HS256', typ: 'at+jwt' }, claims, hs256(n)));
    });

    it('refuses expired and not-yet-valid tokens (beyond the 10 s leeway)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await expectInvalidToken(issuer.token({ iat: now - 400, exp: now - 60 }));
      expect(expired.message).toBe('The access token expired');
      const early = await expectInvalidToken(issuer.token({ nbf: now + 120 }));
      expect(early.message).toBe('The access token is not valid yet');
      // Within the leeway a few seconds of skew are tolerated.
      const owner = await ownerOf('ord_00001');
      const skewed = await call(
        web,
        '/orders/ord_00001',
        issuer.headers({ sub: owner, nbf: now + 3 }),
      );
      expect(skewed.res.status).toBe(200);
    });

    it('refuses a token for another audience and one from an untrusted issuer', async () => {
      const aud = await expectInvalidToken(issuer.token({ aud: 'admin-bff' }));
      expect(aud.message).toMatch(/not meant for this API/);
      // Signed with the trusted key, but claiming another issuer: never looked up, never trusted.
      const iss = await expectInvalidToken(issuer.token({ iss: 'http://127.0.0.1:9/evil' }));
      expect(iss.message).toBe('Untrusted token issuer');
    });

    it('refuses oversized and malformed tokens without parsing them', async () => {
      const big = await expectInvalidToken(issuer.token({ padding: 'x'.repeat(9_000) }));
      expect(big.message).toBe('The token is too large');
      for (const garbage of [
        'abc',
        'a.b.c',
        'e30.e30.',
        '!!!.???.***',
        'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln',
      ]) {
        await expectInvalidToken(garbage);
      }
      const { res } = await call(web, '/orders/ord_00001', { authorization: 'Basic dXNlcjpwYXNz' });
      expect(res.status).toBe(401);
      expect(totalHits()).toBe(0);
    });

    it('refuses ID tokens and other token types', async () => {
      // An ID token of a client whose id equals the BFF audience: right iss, aud and key.
      const idToken = issuer.token(
        { nonce: 'n-1', at_hash: 'abc', client_id: undefined },
        { typ: 'JWT' },
      );
      expect((await expectInvalidToken(idToken)).message).toMatch(/not access tokens/);
      // Untyped and without the RFC 9068 client_id claim: not an access token either.
      await expectInvalidToken(issuer.token({ client_id: undefined }, { typ: null }));
      await expectInvalidToken(issuer.token({}, { typ: 'refresh+jwt' }));
      await expectInvalidToken(issuer.token({}, { typ: 'logout+jwt' }));
    });

    it('refetches the JWKS at most once per cooldown for unknown kids, even under 20 concurrent requests', async () => {
      const before = issuer.jwksHits();
      const burst = () =>
        Promise.all(
          Array.from({ length: 20 }, () =>
            fetch(`${web.url}/orders/ord_00001`, {
              headers: issuer.headers({}, { kid: randomUUID() }),
            }),
          ),
        );
      const first = await burst();
      expect(first.map((r) => r.status)).toEqual(Array(20).fill(401));
      expect(issuer.jwksHits() - before).toBeLessThanOrEqual(1);
      const second = await burst();
      expect(second.map((r) => r.status)).toEqual(Array(20).fill(401));
      // Within the cooldown: answered from the negative cache, no fetch at all.
      expect(issuer.jwksHits() - before).toBeLessThanOrEqual(1);
      expect((await json(first[0])).message).toBe('The token was signed with an unknown key');
      expect(totalHits()).toBe(0);
    });

    it('picks up a rotated key once the cooldown allows a refetch', async () => {
      // Its own issuer: rotating the shared one would leave the other apps on a cooled-down kid.
      const rotating = await startTestIssuer();
      const shortCooldown = await startApp(createWebBff, sandbox, {
        ...rotating.env,
        AUTH_JWKS_COOLDOWN_MS: '300',
      });
      try {
        const owner = await ownerOf('ord_00004');
        const ok = await call(shortCooldown, '/orders/ord_00004', rotating.headers({ sub: owner }));
        expect(ok.res.status).toBe(200);
        const kid = rotating.rotate();
        await new Promise((r) => setTimeout(r, 350));
        sandbox.resetStats();
        const rotated = await call(
          shortCooldown,
          '/orders/ord_00004',
          rotating.headers({ sub: owner }, { kid }),
        );
        expect(rotated.res.status).toBe(200);
      } finally {
        await shortCooldown.app.close();
        await rotating.close();
      }
    });

    it('never answers 500 to any of these, and counts them in bff_auth_rejections_total', async () => {
      const { register } = await import('prom-client');
      const metric = await register.getSingleMetric('bff_auth_rejections_total')?.get();
      const reasons = new Set(metric?.values.map((v) => v.labels.reason));
      for (const reason of [
        'missing',
        'signature',
        'bad_alg',
        'expired',
        'audience',
        'too_large',
      ]) {
        expect(reasons).toContain(reason);
      }
    });
  });

  describe('internal HS256 tokens (separate issuer and secret)', () => {
    it('accepts a token signed with the internal secret, refuses other secrets and OIDC issuers', async () => {
      const ok = await call(web, '/home', bearer(internalToken({ aud: 'web-bff' })));
      expect(ok.res.status).toBe(200);
      sandbox.resetStats();
      const wrongSecret = signJwt(
        { alg: 'HS256', typ: 'at+jwt' },
        {
          iss: TEST_INTERNAL_ISSUER,
          sub: 'svc',
          aud: 'web-bff',
          exp: Math.floor(Date.now() / 1000) + 60,
        },
        hs256('another-secret-that-is-long-enough-0123456789'),
      );
      await expectInvalidToken(wrongSecret);
      // The internal secret does not make HS256 acceptable for an OIDC issuer.
      const claimsOidc = signJwt(
        { alg: 'HS256', typ: 'at+jwt' },
        { iss: issuer.url, sub: 'svc', aud: 'web-bff', exp: Math.floor(Date.now() / 1000) + 60 },
        hs256('test-internal-secret-0123456789abcdef'),
      );
      await expectInvalidToken(claimsOidc);
    });
  });

  describe('tokens of the sandbox IdP (oidc-provider)', () => {
    let idp: SandboxIdp;
    let idpWeb: RunningApp;

    beforeAll(async () => {
      idp = await startIdp();
      idpWeb = await startApp(createWebBff, sandbox, { AUTH_OIDC_ISSUERS: idp.issuer });
    });

    afterAll(async () => {
      await idpWeb?.app.close();
      await idp?.close();
    });

    it('verifies an RFC 9068 access token minted by the IdP, against its real JWKS', async () => {
      const owner = await ownerOf('ord_00005');
      const minted = await fetch(`${idp.issuer}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub: owner, aud: 'web-bff', roles: ['customer'], tier: 'premium' }),
      });
      expect(minted.status).toBe(200);
      const { access_token: token } = await json(minted);
      const ok = await call(idpWeb, '/orders/ord_00005', bearer(token));
      expect(ok.res.status).toBe(200);
      // A token the IdP minted for another BFF is refused here.
      const mobileToken = await json(
        await fetch(`${idp.issuer}/dev/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sub: owner, aud: 'mobile-bff' }),
        }),
      );
      expect(
        (await call(idpWeb, '/orders/ord_00005', bearer(mobileToken.access_token))).res.status,
      ).toBe(401);
    });
  });

  describe('trusted user context downstream', () => {
    /** Raw request, so duplicate and odd-case headers reach the BFF as sent. */
    const rawGet = (url: string, headers: string[]) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          url,
          { headers: ['Host', new URL(url).host, ...headers] },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end();
      });

    it('strips spoofed X-User-* / internal headers and sends only the verified identity', async () => {
      const owner = await ownerOf('ord_00006');
      const token = issuer.token({ sub: owner, roles: ['customer', 'vip'], org_id: 'org_42' });
      const status = await rawGet(`${web.url}/orders/ord_00006`, [
        'Authorization',
        `Bearer ${token}`,
        'X-User-Id',
        'usr_0999',
        'x-user-id',
        'usr_0998',
        'X-USER-ROLES',
        'admin',
        'X-Org-Id',
        'org_evil',
        'X-Internal-Token',
        'forged',
        'X-User-Tier',
        'internal',
        'Connection',
        'keep-alive, X-Custom',
        'X-Custom',
        'hop',
      ]);
      expect(status).toBe(200);
      for (const service of ['orders', 'users', 'catalog'] as const) {
        const seen = sandbox.recorded(service).at(-1);
        expect(seen?.headers['x-user-id']).toBe(owner);
        expect(seen?.headers['x-user-roles']).toBe('customer,vip');
        expect(seen?.headers['x-org-id']).toBe('org_42');
        expect(seen?.headers['x-user-tier']).toBeUndefined();
        expect(seen?.headers['x-internal-token']).toBeUndefined();
        expect(seen?.headers['x-custom']).toBeUndefined();
        expect(seen?.headers.authorization).toBeUndefined();
      }
    });

    it('sends no identity at all for an anonymous caller, whatever it claims', async () => {
      const status = await rawGet(`${web.url}/products/prd_0042`, [
        'X-User-Id',
        'usr_0001',
        'X-User-Roles',
        'admin',
        'X-Org-Id',
        'org_evil',
      ]);
      expect(status).toBe(200);
      const seen = sandbox.recorded('catalog').at(-1);
      expect(seen).toBeDefined();
      expect(seen?.headers['x-user-id']).toBeUndefined();
      expect(seen?.headers['x-user-roles']).toBeUndefined();
      expect(seen?.headers['x-org-id']).toBeUndefined();
    });

    it('adds a signed X-Internal-Token when configured', async () => {
      const signed = await startApp(createWebBff, sandbox, {
        ...issuer.env,
        AUTH_DOWNSTREAM_TOKEN_SECRET: 'downstream-secret-0123456789abcdef0123',
      });
      try {
        const owner = await ownerOf('ord_00007');
        const res = await call(signed, '/orders/ord_00007', issuer.headers({ sub: owner }));
        expect(res.res.status).toBe(200);
        const token = String(sandbox.recorded('orders').at(-1)?.headers['x-internal-token']);
        const [h, p, s] = token.split('.');
        const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
        expect(payload).toMatchObject({ iss: 'bff', aud: 'orders', sub: owner });
        expect(payload.exp - payload.iat).toBe(60);
        expect(
          hs256('downstream-secret-0123456789abcdef0123')(Buffer.from(`${h}.${p}`)).toString(
            'base64url',
          ),
        ).toBe(s);
      } finally {
        await signed.app.close();
      }
    });
  });

  describe('declarative pass-through routes (routing lib) copy client headers: still sanitized', () => {
    const routesFile = join(tmpdir(), `bff-auth-routes-${process.pid}-${Date.now()}.json`);
    let routed: RunningApp;

    beforeAll(async () => {
      const routes = [
        {
          name: 'catalog',
          prefix: '/api/v1/catalog',
          service: 'catalog',
          methods: ['GET'],
          auth: 'public',
        },
        {
          name: 'orders',
          prefix: '/api/v1/orders',
          service: 'orders',
          methods: ['GET'],
          auth: 'required',
          roles: ['support'],
        },
      ];
      await writeFile(routesFile, JSON.stringify({ routes }));
      routed = await startApp(createWebBff, sandbox, {
        ...issuer.env,
        WEB_BFF_ROUTES_FILE: routesFile,
      });
    });

    afterAll(async () => {
      await routed?.app.close();
      await rm(routesFile, { force: true });
    });

    it('forwards no spoofed identity, credential or hop-by-hop header', async () => {
      const res = await fetch(`${routed.url}/api/v1/catalog/products/prd_0001`, {
        headers: {
          'x-user-id': 'usr_0001',
          'x-user-roles': 'admin',
          'x-org-id': 'org_evil',
          'x-internal-token': 'forged',
          cookie: 'session=abc',
        },
      });
      expect(res.status).toBe(200);
      const seen = sandbox.recorded('catalog').at(-1);
      expect(seen?.headers['x-user-id']).toBeUndefined();
      expect(seen?.headers['x-user-roles']).toBeUndefined();
      expect(seen?.headers['x-org-id']).toBeUndefined();
      expect(seen?.headers['x-internal-token']).toBeUndefined();
      expect(seen?.headers.cookie).toBeUndefined();
    });

    it("applies the route's auth and roles: 401, 403, then the verified identity downstream", async () => {
      const anonymous = await call(routed, '/api/v1/orders/orders/ord_00001');
      expect(anonymous.res.status).toBe(401);
      expect(anonymous.res.headers.get('www-authenticate')).toBe('Bearer realm="web-bff"');
      const customer = await call(
        routed,
        '/api/v1/orders/orders/ord_00001',
        issuer.headers({ sub: 'usr_0001' }),
      );
      expect(customer.res.status).toBe(403);
      expect(totalHits()).toBe(0);
      const support = await fetch(`${routed.url}/api/v1/orders/orders/ord_00001`, {
        headers: {
          ...issuer.headers({ sub: 'staff_7', roles: ['support'] }),
          'X-User-Id': 'usr_0001',
        },
      });
      expect(support.status).toBe(200);
      const seen = sandbox.recorded('orders').at(-1);
      expect(seen?.headers['x-user-id']).toBe('staff_7');
      expect(seen?.headers['x-user-roles']).toBe('support');
      expect(seen?.headers.authorization).toBeUndefined();
    });
  });

  describe('orders are private to their owner', () => {
    it('another user gets a 404 (not a 403), support staff may read', async () => {
      const owner = await ownerOf('ord_00008');
      const stranger = owner === 'usr_0001' ? 'usr_0002' : 'usr_0001';
      const other = await call(web, '/orders/ord_00008', issuer.headers({ sub: stranger }));
      expect(other.res.status).toBe(404);
      expect(other.body).toMatchObject({ code: 'NOT_FOUND', message: 'Resource not found' });
      // Refused right after the order lookup: no customer or product calls.
      expect(sandbox.hits('users')).toBe(0);
      expect(sandbox.hits('catalog')).toBe(0);
      const support = await call(
        web,
        '/orders/ord_00008',
        issuer.headers({ sub: 'staff_1', roles: ['support'] }),
      );
      expect(support.res.status).toBe(200);
    });

    it('home uses the verified user, never a query parameter', async () => {
      const home = await call(web, '/home', issuer.headers({ sub: 'usr_0003' }));
      expect(home.res.status).toBe(200);
      expect(home.body.user.id).toBe('usr_0003');
      expect(sandbox.recorded('users').at(-1)?.url).toBe('/users/usr_0003');
      const spoof = await call(web, '/home?userId=usr_0004', issuer.headers({ sub: 'usr_0003' }));
      expect(spoof.res.status).toBe(400);
      // A presented but invalid token is refused even on an optional-auth page.
      sandbox.resetStats();
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      await expectInvalidToken(issuer.token({}, { key: privateKey }), web, '/home');
    });
  });

  describe('API keys (X-API-Key), revocable without restart', () => {
    const cli = async (args: string[], redis = false) => {
      const lines: string[] = [];
      const config = loadConfig(
        sandboxEnv(sandbox, {
          AUTH_API_KEYS_FILE: keysFile,
          ...(redis ? { REDIS_URL: SHARED_REDIS_URL, AUTH_API_KEYS_STORE: 'redis' } : {}),
        }),
      );
      const code = await runApiKeyCli(args, config, (line) => lines.push(line));
      return { code, lines };
    };

    const admin401or200 = async (app: RunningApp, key: string) =>
      (await call(app, '/users?pageSize=1', { 'x-api-key': key })).res.status;

    async function eventually(check: () => Promise<boolean>, ms = 2_000): Promise<void> {
      const until = Date.now() + ms;
      while (!(await check())) {
        if (Date.now() > until) throw new Error('condition not met in time');
        await new Promise((r) => setTimeout(r, 20));
      }
    }

    it('file store: a created key works at once, a revoked one stops working without restart', async () => {
      const created = await cli([
        'create',
        '--client',
        'acme',
        '--tier',
        'premium',
        '--roles',
        'support',
        '--scopes',
        'users:read,orders:read',
      ]);
      expect(created.code).toBe(0);
      const key = created.lines[0];
      expect(key).toMatch(/^bffk_[A-Za-z0-9_-]{43}$/);
      expect(await readFile(keysFile, 'utf8')).not.toContain(key);
      await eventually(async () => (await admin401or200(admin, key)) === 200);
      // The key's roles apply: support may read but not mutate.
      const patch = await fetch(`${admin.url}/orders/ord_00009/status`, {
        method: 'PATCH',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'cancelled' }),
      });
      expect(patch.status).toBe(403);

      const id = created.lines[1].split(' ')[1];
      expect((await cli(['revoke', '--id', id])).code).toBe(0);
      await eventually(async () => (await admin401or200(admin, key)) === 401);
      const refused = await call(admin, '/users', { 'x-api-key': key });
      expect(refused.res.headers.get('www-authenticate')).toMatch(
        /^ApiKey realm="admin-bff", error="invalid_token"/,
      );
      expect(refused.ms).toBeLessThan(FAST_MS);
    });

    it('redis store: revocation is seen by every instance at once (pub/sub)', async () => {
      const redisEnv = { ...issuer.env, REDIS_URL: SHARED_REDIS_URL, AUTH_API_KEYS_STORE: 'redis' };
      const a = await startApp(createAdminBff, sandbox, { ...redisEnv, AUDIT_LOG_PATH: auditPath });
      const b = await startApp(createAdminBff, sandbox, { ...redisEnv, AUDIT_LOG_PATH: auditPath });
      try {
        const client = `it-${randomUUID()}`;
        const created = await cli(
          [
            'create',
            '--client',
            client,
            '--tier',
            'standard',
            '--roles',
            'support',
            '--scopes',
            'users:read',
          ],
          true,
        );
        const key = created.lines[0];
        expect(await admin401or200(a, key)).toBe(200);
        expect(await admin401or200(b, key)).toBe(200);
        expect((await cli(['revoke', '--client', client], true)).code).toBe(0);
        await eventually(async () => (await admin401or200(a, key)) === 401, 500);
        await eventually(async () => (await admin401or200(b, key)) === 401, 500);
        // Leave no test records in the shared Redis.
        const redis = new Redis(SHARED_REDIS_URL);
        await redis.hdel('bff:apikeys', hashApiKey(key));
        redis.disconnect();
      } finally {
        await a.app.close();
        await b.app.close();
      }
    });

    it('refuses malformed and unknown keys, and a key sent together with a token', async () => {
      expect(await admin401or200(admin, 'not-a-key')).toBe(401);
      expect(await admin401or200(admin, `bffk_${'A'.repeat(43)}`)).toBe(401);
      const both = await call(admin, '/users', {
        'x-api-key': `bffk_${'A'.repeat(43)}`,
        ...issuer.headers({ aud: 'admin-bff', roles: ['admin'] }),
      });
      expect(both.res.status).toBe(400);
      expect(both.res.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
      expect(totalHits()).toBe(0);
    });
  });

  describe('admin-bff: support may read, only admin may mutate; every mutation is audited', () => {
    const adminToken = (roles: string[], sub = `staff_${roles.join('_') || 'none'}`) =>
      issuer.headers({ sub, roles, aud: 'admin-bff', scope: ADMIN_SCOPES });
    const patchStatus = (id: string, headers: Record<string, string>, status = 'cancelled') =>
      fetch(`${admin.url}/orders/${id}/status`, {
        method: 'PATCH',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ status }),
      });
    const auditLines = async () =>
      (await readFile(auditPath, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));

    it('403 insufficient_scope for a customer, 200 for support and admin on reads', async () => {
      const customer = await call(admin, '/users?pageSize=1', adminToken([]));
      expect(customer.res.status).toBe(403);
      expect(customer.body).toMatchObject({ statusCode: 403, code: 'INSUFFICIENT_SCOPE' });
      expect(customer.res.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="admin-bff", error="insufficient_scope"/,
      );
      expect(customer.ms).toBeLessThan(FAST_MS);
      expect(totalHits()).toBe(0);
      expect((await call(admin, '/users?pageSize=1', adminToken(['support']))).res.status).toBe(
        200,
      );
      expect((await call(admin, '/orders/ord_00011', adminToken(['admin']))).res.status).toBe(200);
      // A token for the web BFF is no good here.
      expect((await call(admin, '/users', issuer.headers({ roles: ['admin'] }))).res.status).toBe(
        401,
      );
    });

    it('support cannot mutate (403, downstream untouched, audited as denied)', async () => {
      const res = await patchStatus('ord_00012', adminToken(['support'], 'staff_sue'));
      expect(res.status).toBe(403);
      expect(sandbox.hits('orders')).toBe(0);
      const last = (await auditLines()).at(-1);
      expect(last).toMatchObject({
        actor: { subject: 'staff_sue', kind: 'user', roles: ['support'] },
        method: 'PATCH',
        route: '/orders/:id/status',
        target: { id: 'ord_00012' },
        status: 403,
        outcome: 'denied',
        requestId: res.headers.get('x-request-id'),
      });
    });

    it('admin mutates; the audit line is on disk before the response arrives', async () => {
      const list = await json(
        await fetch(`${admin.url}/orders?status=pending&pageSize=1`, {
          headers: adminToken(['admin']),
        }),
      );
      const id = list.items[0].id;
      const res = await patchStatus(
        id,
        { ...adminToken(['admin'], 'staff_ann'), 'x-request-id': 'audit-me-1' },
        'paid',
      );
      expect(res.status).toBe(200);
      // Read immediately: written and fsynced before the response was sent.
      const last = (await auditLines()).at(-1);
      expect(last).toEqual({
        at: expect.any(String),
        requestId: 'audit-me-1',
        actor: { subject: 'staff_ann', kind: 'user', roles: ['admin'], clientName: 'test-client' },
        method: 'PATCH',
        route: '/orders/:id/status',
        path: `/orders/${id}/status`,
        target: { id },
        status: 200,
        outcome: 'success',
        action: 'order.status.change',
        resource: `order/${id}`,
        changes: { status: { before: 'pending', after: 'paid' } },
        clientIp: '127.0.0.1',
      });
      const anonymous = await patchStatus(id, {});
      expect(anonymous.status).toBe(401);
      expect((await auditLines()).at(-1)).toMatchObject({
        actor: null,
        status: 401,
        outcome: 'denied',
      });
    });

    it('also feeds a Redis stream when AUDIT_REDIS_STREAM is set', async () => {
      const stream = `bff:audit:test-${randomUUID()}`;
      const streamed = await startApp(createAdminBff, sandbox, {
        ...issuer.env,
        REDIS_URL: SHARED_REDIS_URL,
        AUDIT_LOG_PATH: auditPath,
        AUDIT_REDIS_STREAM: stream,
      });
      const redis = new Redis(SHARED_REDIS_URL);
      try {
        const res = await fetch(`${streamed.url}/orders/ord_00013/status`, {
          method: 'PATCH',
          headers: { ...adminToken(['support']), 'content-type': 'application/json' },
          body: JSON.stringify({ status: 'cancelled' }),
        });
        expect(res.status).toBe(403);
        let entries: [string, string[]][] = [];
        for (let i = 0; i < 50 && entries.length === 0; i++) {
          entries = await redis.xrange(stream, '-', '+');
          if (entries.length === 0) await new Promise((r) => setTimeout(r, 20));
        }
        expect(entries).toHaveLength(1);
        expect(JSON.parse(entries[0][1][1])).toMatchObject({
          target: { id: 'ord_00013' },
          status: 403,
          outcome: 'denied',
        });
      } finally {
        await redis.del(stream);
        redis.disconnect();
        await streamed.app.close();
      }
    });
  });
});
