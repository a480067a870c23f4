import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { createMobileBff } from '../apps/mobile-bff/src/mobile-bff.app';
import { type TestIssuer, bearer, signJwt, startTestIssuer } from './support/auth';
import { CookieJar } from './support/oidc-login';
import { RedisProcess, until } from './support/redis-server';
import {
  type RunningWeb,
  WEB_CLIENT_SECRET,
  freePort,
  loginThroughBff,
  startSessionWeb,
} from './support/session-stack';
import {
  type Json,
  type RunningApp,
  type Sandbox,
  json,
  startApp,
  startSandbox,
} from './support/stack';

/**
 * Issue 21: two web-bff instances, an admin-bff and a mobile-bff sharing a private Redis. A
 * revocation made on one instance is enforced by every other one within a second, verified-token
 * cache or not.
 */
describe('token and session revocation across instances', () => {
  let redis: RedisProcess;
  let issuer: TestIssuer;
  let sandbox: Sandbox;
  let webs: RunningWeb[];
  let admin: RunningApp;
  let mobile: RunningApp;

  beforeAll(async () => {
    redis = await RedisProcess.start();
    issuer = await startTestIssuer();
    const ports = [await freePort(), await freePort()];
    sandbox = await startSandbox({
      idp: {
        logger: true,
        webClients: [
          {
            clientId: 'web-bff',
            clientSecret: WEB_CLIENT_SECRET,
            redirectUris: ports.map((p) => `http://127.0.0.1:${p}/auth/callback`),
            // One instance receives the IdP's logout tokens; the shared store tells the others.
            backchannelLogoutUri: `http://127.0.0.1:${ports[0]}/auth/backchannel-logout`,
          },
        ],
      },
    });
    const env = {
      REDIS_URL: redis.url,
      AUTH_OIDC_ISSUERS: `${issuer.url}, ${sandbox.idp.issuer}`,
      RATE_LIMIT_ENABLED: 'false',
    };
    webs = [];
    for (const port of ports) webs.push(await startSessionWeb(sandbox, port, env));
    admin = await startApp(createAdminBff, sandbox, env);
    mobile = await startApp(createMobileBff, sandbox, env);
  }, 60_000);

  afterAll(async () => {
    for (const app of [...(webs ?? []), admin, mobile]) await app?.app.close();
    await sandbox?.close();
    await issuer?.close();
    await redis?.kill();
  });

  const adminHeaders = (scope = 'tokens:revoke') =>
    issuer.headers({ sub: 'staff_admin', roles: ['admin'], aud: 'admin-bff', scope });
  const revoke = (body: unknown, scope?: string) =>
    fetch(`${admin.url}/revocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeaders(scope) },
      body: JSON.stringify(body),
    });
  /** Status and error code of a signed-in call of one web instance. */
  const order = async (url: string, headers: Record<string, string>) => {
    const res = await fetch(`${url}/orders/ord_00001`, { headers });
    const body: Json = res.status === 200 ? undefined : await json(res);
    return { status: res.status, code: body?.code as string | undefined, res };
  };
  const everywhere = async (headers: Record<string, string>, status: number, code?: string) => {
    for (const web of webs) {
      const r = await order(web.url, headers);
      if (r.status !== status || (code !== undefined && r.code !== code)) return false;
    }
    return true;
  };

  it('a token revoked on admin-bff is refused by both web instances within 1 s, cached or not', async () => {
    const jti = `jti-${Date.now()}`;
    const token = issuer.token({ sub: 'usr_0100', roles: ['support'], jti });
    const other = issuer.token({ sub: 'usr_0100', roles: ['support'] });
    // Accepted twice on each instance: the second time from the verified-token cache.
    for (let i = 0; i < 2; i++) {
      expect(await everywhere(bearer(token), 200)).toBe(true);
    }

    const res = await revoke({ jti, reason: 'leaked in a log' });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created).toMatchObject({
      kind: 'token',
      value: `jti:${jti}`,
      reason: 'leaked in a log',
      by: 'staff_admin',
      shared: true,
    });
    const revokedAt = Date.now();
    await until(() => everywhere(bearer(token), 401, 'TOKEN_REVOKED'), 5_000, 'refusals');
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    const refused = await order(webs[0].url, bearer(token));
    expect(refused.res.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="web-bff", error="invalid_token", error_description="The credential was revoked"$/,
    );
    // Another token of the same user is untouched.
    expect(await everywhere(bearer(other), 200)).toBe(true);

    // Listed, then withdrawn (a mistake): accepted again everywhere.
    const list = await json(
      await fetch(`${admin.url}/revocations?kind=token&pageSize=50`, { headers: adminHeaders() }),
    );
    expect(list.items.map((e: Json) => e.id)).toContain(created.id);
    expect(list.pageInfo).toMatchObject({ page: 1, pageSize: 50 });
    const del = await fetch(`${admin.url}/revocations/${created.id}`, {
      method: 'DELETE',
      headers: adminHeaders(),
    });
    expect(del.status).toBe(204);
    await until(() => everywhere(bearer(token), 200), 5_000, 'withdrawal');
    const again = await fetch(`${admin.url}/revocations/${created.id}`, {
      method: 'DELETE',
      headers: adminHeaders(),
    });
    expect(again.status).toBe(404);
  });

  it('withholds the answer of a request that outlives the revocation of its token', async () => {
    const jti = `jti-inflight-${Date.now()}`;
    const token = issuer.token({ sub: 'usr_0101', roles: ['support'], jti });
    const other = issuer.token({ sub: 'usr_0101', roles: ['support'] });
    // The orders service answers slowly (and nothing is cached yet for this user): the
    // revocation lands while both requests wait on it.
    sandbox.faults.set('orders', { latencyMs: 1_500 });
    try {
      const slow = order(webs[0].url, bearer(token));
      const untouched = order(webs[0].url, bearer(other));
      await new Promise((r) => setTimeout(r, 300));
      expect((await revoke({ jti, reason: 'stolen mid-request' })).status).toBe(201);
      const refused = await slow;
      expect([refused.status, refused.code]).toEqual([401, 'TOKEN_REVOKED']);
      expect(refused.res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect(refused.res.headers.get('cache-control')).toBe('no-store');
      expect((await untouched).status).toBe(200);
    } finally {
      sandbox.faults.reset('orders');
    }
  });

  it('revokes a subject’s and a client’s tokens issued before now; later ones pass', async () => {
    const user = issuer.token({ sub: 'usr_0101', roles: ['support'] });
    const app = issuer.token({ sub: 'usr_0102', roles: ['support'], client_id: 'kiosk-app' });
    expect(await everywhere(bearer(user), 200)).toBe(true);
    expect(await everywhere(bearer(app), 200)).toBe(true);
    expect((await revoke({ subject: 'usr_0101', reason: 'account compromised' })).status).toBe(201);
    expect((await revoke({ client: 'kiosk-app', reason: 'client retired' })).status).toBe(201);
    await until(() => everywhere(bearer(user), 401, 'TOKEN_REVOKED'), 5_000, 'subject');
    await until(() => everywhere(bearer(app), 401, 'TOKEN_REVOKED'), 5_000, 'client');
    // `iat` has whole seconds: a token issued in a later second is a new login.
    await new Promise((r) => setTimeout(r, 1_100));
    const fresh = issuer.token({ sub: 'usr_0101', roles: ['support'] });
    expect(await everywhere(bearer(fresh), 200)).toBe(true);
    // An unknown subject is no error (idempotent), and revoking twice keeps one entry.
    const first = await json(await revoke({ subject: 'nobody-known', reason: 'test' }));
    const second = await json(await revoke({ subject: 'nobody-known', reason: 'test again' }));
    expect(second.id).toBe(first.id);
  });

  it('answers bad input with 400 JSON and needs admin with tokens:revoke', async () => {
    for (const body of [
      {},
      { reason: 'no target' },
      { jti: 'a', subject: 'b', reason: 'two targets' },
      { jti: 'a' },
      { jti: 'a', reason: '' },
      { jti: 'a', reason: 'x', extra: true },
      { jti: 42, reason: 'not a string' },
      { token: 'not-a-jwt', reason: 'x' },
    ]) {
      const res = await revoke(body);
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ statusCode: 400 });
    }
    const raw = await fetch(`${admin.url}/revocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeaders() },
      body: '{"jti":',
    });
    expect(raw.status).toBe(400);
    const noScope = await revoke({ jti: 'a', reason: 'x' }, 'orders:read');
    expect(noScope.status).toBe(403);
    expect(await json(noScope)).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
    const support = await fetch(`${admin.url}/revocations`, {
      headers: issuer.headers({
        sub: 'staff_support',
        roles: ['support'],
        aud: 'admin-bff',
        scope: 'tokens:revoke',
      }),
    });
    expect(support.status).toBe(403);
    const badPage = await fetch(`${admin.url}/revocations?pageSize=1000`, {
      headers: adminHeaders(),
    });
    expect(badPage.status).toBe(400);
  });

  it('logout-everywhere on web-bff ends the user’s bearer tokens and sessions on every instance', async () => {
    const sub = 'usr_0005';
    // Two browser sessions, one per instance, and a bearer token of the same user.
    const jars = [new CookieJar(), new CookieJar()];
    await loginThroughBff(jars[0], webs[0].url, sub);
    await loginThroughBff(jars[1], webs[1].url, sub);
    const token = issuer.token({ sub });
    const session = (i: number) =>
      jars[i].fetch(`${webs[i].url}/auth/user`, { headers: { 'x-csrf': '1' } });
    expect((await session(0)).status).toBe(200);
    expect((await session(1)).status).toBe(200);
    const apiCall = (i: number) =>
      jars[i].fetch(`${webs[i].url}/orders/ord_00001`, { headers: { 'x-csrf': '1' } });
    expect((await order(webs[1].url, bearer(token))).status).not.toBe(401);

    const out = await jars[0].fetch(`${webs[0].url}/auth/logout-everywhere`, {
      method: 'POST',
      headers: { 'x-csrf': '1' },
    });
    expect(out.status).toBe(200);
    expect(await json(out)).toMatchObject({ loggedOut: true, shared: true });
    expect(out.headers.getSetCookie().join()).toMatch(/bff-session=; .*Max-Age=0/);
    expect(jars[0].get(webs[0].url, 'bff-session')).toBeUndefined();

    // The other instance: the bearer token is refused, the session is gone.
    await until(
      async () => (await order(webs[1].url, bearer(token))).code === 'TOKEN_REVOKED',
      5_000,
      'bearer refused on the other instance',
    );
    const ended = await apiCall(1);
    expect(ended.status).toBe(401);
    expect(ended.headers.getSetCookie().join()).toMatch(/bff-session=; .*Max-Age=0/);
    expect((await session(1)).status).toBe(401);
  }, 30_000);

  it('logout-everywhere on mobile-bff (bearer) revokes the user’s tokens on web-bff too', async () => {
    const sub = 'usr_0103';
    const web = issuer.token({ sub, roles: ['support'] });
    expect(await everywhere(bearer(web), 200)).toBe(true);
    const out = await fetch(`${mobile.url}/auth/logout-everywhere`, {
      method: 'POST',
      headers: issuer.headers({ sub, aud: 'mobile-bff' }),
    });
    expect(out.status).toBe(200);
    expect(await json(out)).toMatchObject({ loggedOut: true, shared: true });
    await until(() => everywhere(bearer(web), 401, 'TOKEN_REVOKED'), 5_000, 'web refusals');
    const anonymous = await fetch(`${mobile.url}/auth/logout-everywhere`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
  });

  describe('OIDC back-channel logout', () => {
    const user = (jar: CookieJar, i: number) =>
      jar.fetch(`${webs[i].url}/auth/user`, { headers: { 'x-csrf': '1' } });
    const post = (body: string, type = 'application/x-www-form-urlencoded') =>
      fetch(`${webs[1].url}/auth/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
    const devToken = async (aud: string) => {
      const res = await fetch(`${sandbox.idp.issuer}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub: 'usr_0007', aud }),
      });
      return (await json(res)).access_token as string;
    };

    it('refuses malformed, unsigned, foreign, wrong-audience and non-logout tokens with 400', async () => {
      const bystander = new CookieJar();
      await loginThroughBff(bystander, webs[0].url, 'usr_0007');
      const event = { 'http://schemas.openid.net/event/backchannel-logout': {} };
      const claims = {
        iss: sandbox.idp.issuer,
        aud: 'web-bff',
        sub: 'usr_0007',
        iat: Math.floor(Date.now() / 1000),
        jti: 'forged',
        events: event,
      };
      const unsigned = signJwt({ alg: 'none', typ: 'logout+jwt' }, claims, () => '');
      const foreign = issuer.token(claims);
      for (const body of [
        '',
        'logout_token=',
        'logout_token=abc',
        `logout_token=${unsigned}`,
        `logout_token=${foreign}`,
        `logout_token=${await devToken('mobile-bff')}`,
        `logout_token=${await devToken('web-bff')}`,
      ]) {
        const res = await post(body);
        expect(res.status).toBe(400);
        expect(await json(res)).toMatchObject({ statusCode: 400, code: 'INVALID_LOGOUT_TOKEN' });
      }
      expect((await post('{"logout_token":"abc"}', 'application/json')).status).toBe(400);
      // Nothing changed.
      expect((await user(bystander, 0)).status).toBe(200);
    });

    it('the IdP ending its session ends the matching web sessions on every instance, others stay', async () => {
      const sso = new CookieJar();
      // One IdP session (same sid) behind a web session on each instance.
      await loginThroughBff(sso, webs[0].url, 'usr_0008');
      await loginThroughBff(sso, webs[1].url, 'usr_0008');
      const other = new CookieJar();
      await loginThroughBff(other, webs[0].url, 'usr_0008');
      expect((await user(sso, 0)).status).toBe(200);
      expect((await user(sso, 1)).status).toBe(200);

      // Sign out at the IdP (its confirmation form), which posts the logout token to webs[0].
      const form = await sso.fetch(`${sandbox.idp.issuer}/session/end`);
      const html = await form.text();
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
      const action = /action="([^"]+)"/.exec(html)?.[1];
      expect(xsrf).toBeDefined();
      const confirm = await sso.fetch(new URL(action ?? '', sandbox.idp.issuer).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ xsrf: xsrf ?? '', logout: 'yes' }).toString(),
      });
      expect(confirm.status).toBeLessThan(400);
      await until(
        async () => (await user(sso, 0)).status === 401 && (await user(sso, 1)).status === 401,
        5_000,
        'sessions ended on both instances',
      );
      // Another IdP session of the same user is untouched.
      expect((await user(other, 0)).status).toBe(200);
    }, 30_000);
  });

  // Last: it stops the shared Redis.
  it('Redis down: known revocations hold, new ones apply where made and spread once Redis is back', async () => {
    const known = issuer.token({ sub: 'usr_0110', roles: ['support'], jti: `known-${Date.now()}` });
    const later = issuer.token({ sub: 'usr_0111', roles: ['support'], jti: `later-${Date.now()}` });
    expect(await everywhere(bearer(later), 200)).toBe(true);
    const jti = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()).jti;
    expect((await revoke({ jti: jti(known), reason: 'before the outage' })).status).toBe(201);
    await until(() => everywhere(bearer(known), 401, 'TOKEN_REVOKED'), 5_000, 'known revoked');

    await redis.kill();
    const offline = await revoke({ jti: jti(later), reason: 'during the outage' });
    expect(offline.status).toBe(201);
    expect(await json(offline)).toMatchObject({ shared: false });
    // The last synced list stays in force; the new revocation has not reached the web instances.
    await new Promise((r) => setTimeout(r, 500));
    expect(await everywhere(bearer(known), 401, 'TOKEN_REVOKED')).toBe(true);
    expect(await everywhere(bearer(later), 200)).toBe(true);

    // Back empty (no persistence): the instances give it the list they hold, then the retry.
    await redis.start();
    await until(
      () => everywhere(bearer(later), 401, 'TOKEN_REVOKED'),
      15_000,
      'retried revocation',
    );
    expect(await everywhere(bearer(known), 401, 'TOKEN_REVOKED')).toBe(true);
  }, 40_000);
});
