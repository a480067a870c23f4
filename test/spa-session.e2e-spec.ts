import type { Browser } from 'playwright-core';
import {
  type RunningWeb,
  freePort,
  startSessionSandbox,
  startSessionWeb,
} from './support/session-stack';
import type { Sandbox } from './support/stack';
import { type DownstreamDouble, startFixedDownstream } from './support/downstream-doubles';
import {
  callBffIn,
  credentialedFetchFrom,
  launchBrowser,
  scriptCookies,
  signInOnSpa,
} from './support/browser';

jest.setTimeout(60_000);

/** The SPA: one static page on its own origin that talks to the web BFF with the session cookie. */
function spaPage(bffUrl: string, spaOrigin: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>SPA</title></head><body>
<a id="login" href="${bffUrl}/auth/login?returnTo=${encodeURIComponent(`${spaOrigin}/`)}">Sign in</a>
<script>
  window.callBff = async (path, csrf, method = 'GET') => {
    const res = await fetch(${JSON.stringify(bffUrl)} + path, {
      method,
      credentials: 'include',
      // Bypass the browser's HTTP cache: every call must reach the BFF.
      cache: 'no-store',
      headers: csrf ? { 'X-CSRF': '1' } : {},
    });
    return { status: res.status, body: await res.json() };
  };
</script></body></html>`;
}

describe('SPA session in a real browser (headless Chromium)', () => {
  let sandbox: Sandbox;
  let web: RunningWeb;
  let spa: DownstreamDouble;
  let spaOrigin: string;
  let browser: Browser;

  beforeAll(async () => {
    const [webPort, spaPort] = [await freePort(), await freePort()];
    spaOrigin = `http://127.0.0.1:${spaPort}`;
    sandbox = await startSessionSandbox([webPort]);
    web = await startSessionWeb(sandbox, webPort, { WEB_SPA_ORIGINS: spaOrigin });
    const html = spaPage(web.url, spaOrigin);
    spa = await startFixedDownstream(
      { headers: { 'content-type': 'text/html; charset=utf-8' }, body: html },
      { port: spaPort },
    );
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await spa?.close();
    await web?.app.close();
    await sandbox?.close();
  });

  it('logs in through the sandbox IdP and calls the BFF with the cookie and X-CSRF', async () => {
    const { context, page } = await signInOnSpa(browser, spaOrigin, 'usr_0002');
    type Result = { status: number; body: Record<string, unknown> };
    const call = (path: string, csrf: boolean, method = 'GET') =>
      callBffIn<Result>(page, path, csrf, method);

    const user = await call('/auth/user', true);
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ sub: 'usr_0002', roles: ['support'] });

    const order = await call('/orders/ord_00001', true);
    expect(order.status).toBe(200);
    expect(order.body.id).toBe('ord_00001');

    // The same call without the anti-forgery header is refused (and readable thanks to CORS).
    const refused = await call('/orders/ord_00001', false);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('CSRF_HEADER_REQUIRED');

    // The session cookie is invisible to scripts and never a token.
    expect(await scriptCookies(page)).not.toContain('bff-session');
    const cookie = (await context.cookies(web.url)).find((c) => c.name === 'bff-session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.value).not.toMatch(/^eyJ/);

    const out = await call('/auth/logout', true, 'POST');
    expect(out.status).toBe(200);
    expect(out.body.loggedOut).toBe(true);
    expect((await call('/auth/user', true)).status).toBe(401);
    expect((await call('/orders/ord_00001', true)).status).toBe(401);
    await context.close();
  });

  it('a page on an unlisted origin cannot read the BFF with credentials', async () => {
    // The IdP's origin stands in for an unlisted site.
    const outcome = await credentialedFetchFrom(
      browser,
      `${sandbox.idp.issuer}/health`,
      `${web.url}/auth/user`,
    );
    expect(outcome).toBe('blocked');
  });
});
