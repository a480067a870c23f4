import type { Browser, Page } from 'playwright-core';
import {
  type RunningAdmin,
  startAdminSessionSandbox,
  startSessionAdmin,
} from './support/admin-session-stack';
import {
  callBffIn,
  credentialedFetchFrom,
  launchBrowser,
  scriptCookies,
  signInOnSpa,
} from './support/browser';
import { type DownstreamDouble, startFixedDownstream } from './support/downstream-doubles';
import { freePort } from './support/free-port';
import type { Sandbox } from './support/stack';

jest.setTimeout(60_000);

/** The admin panel: one static page on its own origin that calls admin-bff with the session cookie. */
function panelPage(bffUrl: string, panelOrigin: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Admin panel</title></head><body>
<a id="login" href="${bffUrl}/auth/login?returnTo=${encodeURIComponent(`${panelOrigin}/`)}">Sign in</a>
<script>
  window.callBff = async (path, csrf, method = 'GET', body) => {
    const headers = csrf ? { 'X-CSRF': '1' } : {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(${JSON.stringify(bffUrl)} + path, {
      method,
      credentials: 'include',
      cache: 'no-store',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json(), requestId: res.headers.get('x-request-id') };
  };
</script></body></html>`;
}

type Result = { status: number; body: Record<string, unknown>; requestId: string | null };

const callFrom =
  (page: Page) =>
  (path: string, csrf: boolean, method = 'GET', body?: unknown): Promise<Result> =>
    callBffIn<Result>(page, path, csrf, method, body);

describe('admin panel session in a real browser (headless Chromium)', () => {
  let sandbox: Sandbox;
  let admin: RunningAdmin;
  let panel: DownstreamDouble;
  let panelOrigin: string;
  let browser: Browser;

  beforeAll(async () => {
    const [adminPort, panelPort] = [await freePort(), await freePort()];
    panelOrigin = `http://127.0.0.1:${panelPort}`;
    sandbox = await startAdminSessionSandbox([adminPort]);
    admin = await startSessionAdmin(sandbox, adminPort, { ADMIN_SPA_ORIGINS: panelOrigin });
    panel = await startFixedDownstream(
      {
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: panelPage(admin.url, panelOrigin),
      },
      { port: panelPort },
    );
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await panel?.close();
    await admin?.app.close();
    await sandbox?.close();
  });

  const signIn = async (userId: string) => {
    const { context, page } = await signInOnSpa(browser, panelOrigin, userId);
    return { context, page, call: callFrom(page) };
  };

  it('an admin signs in on the panel origin and changes an order status with cookie + X-CSRF', async () => {
    const { context, page, call } = await signIn('usr_0001');

    const user = await call('/auth/user', true);
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ sub: 'usr_0001', roles: ['admin'] });

    const list = await call('/orders?status=pending&pageSize=1', true);
    expect(list.status).toBe(200);
    const order = (list.body.items as { id: string; status: string }[])[0];
    expect(order.status).toBe('pending');

    // A PATCH with a JSON body and X-CSRF: the browser's preflight must be allowed for the panel.
    const changed = await call(`/orders/${order.id}/status`, true, 'PATCH', {
      status: 'paid',
      reason: 'payment confirmed by phone',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: order.id, status: 'paid' });
    const seen = sandbox
      .recorded('orders')
      .filter((r) => r.method === 'PATCH')
      .at(-1);
    expect(seen?.headers['x-user-id']).toBe('usr_0001');

    // The audit trail, read back through the panel: who, what changed, why, from where.
    const trail = await call(`/audit?resource=order/${order.id}`, true);
    expect(trail.status).toBe(200);
    expect((trail.body.items as unknown[])[0]).toMatchObject({
      requestId: changed.requestId,
      actor: { subject: 'usr_0001', roles: ['admin'] },
      action: 'order.status.change',
      changes: { status: { before: 'pending', after: 'paid' } },
      reason: 'payment confirmed by phone',
      clientIp: '127.0.0.1',
    });

    // Without the anti-forgery header the same change is refused, readably (CORS on errors too).
    const refused = await call(`/orders/${order.id}/status`, false, 'PATCH', { status: 'shipped' });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('CSRF_HEADER_REQUIRED');

    // The admin cookie is httpOnly, never a token, and named apart from web-bff's on this host.
    expect(await scriptCookies(page)).not.toContain('bff-admin-session');
    const cookie = (await context.cookies(admin.url)).find((c) => c.name === 'bff-admin-session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.value).not.toMatch(/^eyJ/);

    const out = await call('/auth/logout', true, 'POST');
    expect(out.status).toBe(200);
    expect((await call('/orders?pageSize=1', true)).status).toBe(401);
    await context.close();
  });

  it('support staff may read through the panel but not change an order', async () => {
    const { context, call } = await signIn('usr_0002');
    const list = await call('/orders?status=pending&pageSize=1', true);
    expect(list.status).toBe(200);
    const id = (list.body.items as { id: string }[])[0].id;
    const refused = await call(`/orders/${id}/status`, true, 'PATCH', { status: 'cancelled' });
    expect(refused.status).toBe(403);
    await context.close();
  });

  it('a page on an unlisted origin cannot call admin-bff with credentials', async () => {
    // The IdP's origin stands in for an unlisted site.
    const outcome = await credentialedFetchFrom(
      browser,
      `${sandbox.idp.issuer}/health`,
      `${admin.url}/auth/user`,
    );
    expect(outcome).toBe('blocked');
  });

  it("answers the panel's preflight for a PATCH with X-CSRF, and no other origin's", async () => {
    const preflight = (origin: string) =>
      fetch(`${admin.url}/orders/ord_00001/status`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'content-type,x-csrf',
        },
      });
    const allowed = await preflight(panelOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(panelOrigin);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('x-csrf');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
