import { CookieJar, walkLogin } from './support/oidc-login';
import {
  type RunningWeb,
  freePort,
  loginThroughBff,
  startSessionSandbox,
  startSessionWeb,
} from './support/session-stack';
import { type Sandbox, json } from './support/stack';
import { SHARED_REDIS_URL } from './support/shared-redis';

const SPA = 'http://127.0.0.1:5999';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('web-bff browser sessions (BFF pattern) without a browser', () => {
  let sandbox: Sandbox;
  let web: RunningWeb;

  beforeAll(async () => {
    const port = await freePort();
    // 4 s access tokens: refreshed from 2 s on (half the lifetime), so refresh is testable.
    sandbox = await startSessionSandbox([port], 4);
    web = await startSessionWeb(sandbox, port, { WEB_SPA_ORIGINS: SPA });
  });

  afterAll(async () => {
    await web?.app.close();
    await sandbox?.close();
  });

  const call = (jar: CookieJar, path: string, init: RequestInit & { csrf?: boolean } = {}) => {
    const headers = new Headers(init.headers);
    if (init.csrf !== false) headers.set('x-csrf', '1');
    return jar.fetch(`${web.url}${path}`, { ...init, headers });
  };

  it('signs in through the IdP, keeps tokens server-side and authenticates cookie calls', async () => {
    const jar = new CookieJar();
    await loginThroughBff(jar, web.url, 'usr_0002');
    const cookie = jar.get(web.url, 'bff-session');
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const user = await call(jar, '/auth/user');
    expect(user.status).toBe(200);
    expect(user.headers.get('cache-control')).toBe('no-store');
    const body = await json(user);
    expect(body).toMatchObject({ sub: 'usr_0002', roles: ['support'], email: expect.any(String) });
    expect(JSON.stringify(body)).not.toMatch(/eyJ/); // no token reaches the browser
    expect(body.nonce).toBeUndefined();

    // A protected API route: the session's access token goes through the auth guard.
    const order = await call(jar, '/orders/ord_00001');
    expect(order.status).toBe(200);
    expect((await json(order)).id).toBe('ord_00001');
    const seen = sandbox.recorded('orders').at(-1);
    expect(seen?.headers['x-user-id']).toBe('usr_0002');
  });

  it('sets an httpOnly, SameSite session cookie and a single-use login cookie', async () => {
    const jar = new CookieJar();
    const start = await jar.fetch(`${web.url}/auth/login`);
    expect(start.status).toBe(302);
    const loginCookie = start.headers.getSetCookie()[0];
    expect(loginCookie).toMatch(
      /^bff-login=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=300$/,
    );
    const idp = new URL(start.headers.get('location') ?? '');
    expect(idp.origin).toBe(sandbox.idp.issuer);
    expect(idp.searchParams.get('code_challenge_method')).toBe('S256');
    expect(idp.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(idp.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    let sessionCookie = '';
    const trace = await walkLogin(jar, idp.href, 'usr_0004', (u) =>
      u.startsWith(`${web.url}/auth/callback`),
    );
    const callback = await jar.fetch(trace.stoppedAt ?? '');
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe(`${SPA}/`);
    for (const c of callback.headers.getSetCookie())
      if (c.startsWith('bff-session=')) sessionCookie = c;
    expect(sessionCookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Max-Age=28800$/);
    expect(callback.headers.getSetCookie()).toContain(
      'bff-login=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0',
    );
  });

  it('refuses cookie-authenticated calls without X-CSRF: 1 with a JSON 401, downstream untouched', async () => {
    const jar = new CookieJar();
    await loginThroughBff(jar, web.url, 'usr_0002');
    sandbox.resetStats();
    for (const path of ['/orders/ord_00001', '/home', '/auth/user']) {
      const res = await call(jar, path, { csrf: false });
      expect(res.status).toBe(401);
      expect(await json(res)).toMatchObject({ statusCode: 401, code: 'CSRF_HEADER_REQUIRED' });
    }
    const wrong = await call(jar, '/orders/ord_00001', {
      csrf: false,
      headers: { 'x-csrf': 'yes' },
    });
    expect(wrong.status).toBe(401);
    expect(sandbox.hits('orders')).toBe(0);
  });

  it('ends the session on logout and returns the RP-initiated logout URL', async () => {
    const jar = new CookieJar();
    await loginThroughBff(jar, web.url, 'usr_0004');
    const cookie = jar.header(web.url);
    expect((await call(jar, '/auth/logout', { method: 'POST', csrf: false })).status).toBe(401);

    const out = await call(jar, '/auth/logout', { method: 'POST' });
    expect(out.status).toBe(200);
    const body = await json(out);
    expect(body.loggedOut).toBe(true);
    const end = new URL(body.endSessionUrl);
    expect(end.origin + end.pathname).toBe(`${sandbox.idp.issuer}/session/end`);
    expect(end.searchParams.get('id_token_hint')).toEqual(expect.any(String));
    expect(out.headers.getSetCookie()[0]).toMatch(/^bff-session=; .*Max-Age=0/);

    // Replaying the old cookie gets nothing.
    const replay = await fetch(`${web.url}/auth/user`, { headers: { cookie, 'x-csrf': '1' } });
    expect(replay.status).toBe(401);
    expect((await json(replay)).code).toBe('SESSION_REQUIRED');
    const order = await fetch(`${web.url}/orders/ord_00001`, {
      headers: { cookie, 'x-csrf': '1' },
    });
    expect(order.status).toBe(401);
  });

  it('refreshes an expiring token once for many concurrent requests', async () => {
    const jar = new CookieJar();
    await loginThroughBff(jar, web.url, 'usr_0002');
    const first = await json(await call(jar, '/auth/user'));
    expect(first.sub).toBe('usr_0002');
    sandbox.idp.resetStats();
    await sleep(2_200);
    const burst = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        call(jar, i % 2 === 0 ? '/auth/user' : '/orders/ord_00002'),
      ),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(24).fill(200));
    expect(sandbox.idp.grants('refresh_token')).toBe(1);
    // The rotated refresh token keeps working for the next cycle.
    await sleep(2_200);
    expect((await call(jar, '/orders/ord_00003')).status).toBe(200);
    expect(sandbox.idp.grants('refresh_token')).toBe(2);
  });

  it('rejects a callback whose state does not match, and consumes the pending login', async () => {
    const jar = new CookieJar();
    const start = await jar.fetch(`${web.url}/auth/login`);
    const idpUrl = start.headers.get('location') ?? '';
    const trace = await walkLogin(jar, idpUrl, 'usr_0004', (u) =>
      u.startsWith(`${web.url}/auth/callback`),
    );
    const real = new URL(trace.stoppedAt ?? '');
    const forged = new URL(real);
    forged.searchParams.set('state', 'x'.repeat(43));
    const res = await jar.fetch(forged.href);
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({
      code: 'LOGIN_FAILED',
      message: 'The login state does not match',
    });
    // The genuine response is now useless too: one attempt per login.
    const again = await jar.fetch(real.href);
    expect(again.status).toBe(400);
    expect(jar.get(web.url, 'bff-session')).toBeUndefined();
  });

  it('rejects an injected authorization code (PKCE verifier mismatch at the IdP)', async () => {
    const victim = new CookieJar();
    const attacker = new CookieJar();
    // The attacker obtains a code for their own login...
    const a = await attacker.fetch(`${web.url}/auth/login`);
    const stolen = await walkLogin(attacker, a.headers.get('location') ?? '', 'usr_0004', (u) =>
      u.startsWith(`${web.url}/auth/callback`),
    );
    const code = new URL(stolen.stoppedAt ?? '').searchParams.get('code') ?? '';
    // ...and plants it in the victim's login, whose state they learnt.
    const v = await victim.fetch(`${web.url}/auth/login`);
    const state = new URL(v.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const res = await victim.fetch(
      `${web.url}/auth/callback?${new URLSearchParams({ code, state, iss: sandbox.idp.issuer })}`,
    );
    expect(res.status).toBe(400);
    expect((await json(res)).message).toMatch(/refused the authorization code \(invalid_grant\)/);
    expect(victim.get(web.url, 'bff-session')).toBeUndefined();
  });

  it('refuses a callback without a login in progress and ignores foreign return URLs', async () => {
    const res = await fetch(`${web.url}/auth/callback?code=abc&state=def`);
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe('LOGIN_FAILED');

    const jar = new CookieJar();
    const trace = await walkLogin(
      jar,
      `${web.url}/auth/login?returnTo=${encodeURIComponent('https://evil.example/steal')}`,
      'usr_0004',
      (u) => !u.startsWith(web.url) && !u.startsWith(sandbox.idp.issuer),
    );
    expect(trace.stoppedAt).toBe(`${SPA}/`);
  });

  it('gives CORS credentials to the configured SPA origin only', async () => {
    const preflight = (origin: string) =>
      fetch(`${web.url}/auth/user`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'x-csrf',
        },
      });
    const allowed = await preflight(SPA);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/x-csrf/);

    const denied = await preflight('http://evil.example');
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    expect(denied.headers.get('access-control-allow-credentials')).toBeNull();

    const simple = await fetch(`${web.url}/auth/user`, {
      headers: { origin: 'http://evil.example', 'x-csrf': '1' },
    });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    expect(simple.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('keeps bearer tokens working for non-browser callers', async () => {
    const minted = await json(
      await fetch(`${sandbox.idp.issuer}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sub: 'usr_0002', roles: ['support'], aud: 'web-bff' }),
      }),
    );
    const res = await fetch(`${web.url}/orders/ord_00004`, {
      headers: { authorization: `Bearer ${minted.access_token}` },
    });
    expect(res.status).toBe(200);
  });
});

describe('web-bff sessions shared by two instances through Redis', () => {
  let sandbox: Sandbox;
  let a: RunningWeb;
  let b: RunningWeb;

  beforeAll(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    sandbox = await startSessionSandbox([portA], 4);
    const env = { REDIS_URL: SHARED_REDIS_URL, SESSION_STORE: 'redis' };
    a = await startSessionWeb(sandbox, portA, env);
    b = await startSessionWeb(sandbox, portB, env);
  });

  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await sandbox?.close();
  });

  it('serves one session from either instance and refreshes it once across both', async () => {
    const jar = new CookieJar();
    await loginThroughBff(jar, a.url, 'usr_0001');
    const cookie = jar.header(a.url);
    const call = (url: string, path: string) =>
      fetch(`${url}${path}`, { headers: { cookie, 'x-csrf': '1' } });
    expect((await json(await call(b.url, '/auth/user'))).sub).toBe('usr_0001');

    sandbox.idp.resetStats();
    await sleep(2_200);
    const burst = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        call(i % 2 === 0 ? a.url : b.url, i % 4 < 2 ? '/auth/user' : '/orders/ord_00005'),
      ),
    );
    expect(burst.map((r) => r.status)).toEqual(Array(16).fill(200));
    expect(sandbox.idp.grants('refresh_token')).toBe(1);

    // Logout on one instance ends the session on the other.
    expect(
      (await fetch(`${a.url}/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf': '1' } }))
        .status,
    ).toBe(200);
    expect((await call(b.url, '/auth/user')).status).toBe(401);
  });
});
