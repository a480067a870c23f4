import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { OrdersFeedSource } from '../apps/admin-bff/src/feed/orders-feed.source';
import {
  type RunningAdmin,
  startAdminSessionSandbox,
  startSessionAdmin,
} from './support/admin-session-stack';
import { type DownstreamDouble, startFixedDownstream } from './support/downstream-doubles';
import { waitFor } from './support/feed-clients';
import { freePort } from './support/free-port';
import type { Sandbox } from './support/stack';

jest.setTimeout(60_000);

/**
 * The admin panel page: signs in, calls admin-bff with the cookie (and X-CSRF), and opens the live
 * feed over WebSocket and EventSource, recording what arrives in `window.feed`.
 */
function panelPage(bffUrl: string, panelOrigin: string): string {
  const wsUrl = bffUrl.replace('http', 'ws');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Admin panel</title></head><body>
<a id="login" href="${bffUrl}/auth/login?returnTo=${encodeURIComponent(`${panelOrigin}/`)}">Sign in</a>
<script>
  window.feed = { ws: [], wsOpened: false, wsClose: null, sse: [], sseOpened: false, sseErrors: 0 };
  window.callBff = async (path, method, body) => {
    const headers = { 'X-CSRF': '1' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(${JSON.stringify(bffUrl)} + path, {
      method, credentials: 'include', cache: 'no-store', headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  window.openWs = () => {
    const socket = new WebSocket(${JSON.stringify(wsUrl)} + '/events/ws?topics=orders');
    socket.onopen = () => { feed.wsOpened = true; };
    socket.onmessage = (e) => { feed.ws.push(JSON.parse(e.data)); };
    socket.onclose = (e) => { feed.wsClose = e.code; };
  };
  window.openSse = () => {
    const source = new EventSource(${JSON.stringify(bffUrl)} + '/events?topics=orders', { withCredentials: true });
    window.source = source;
    source.onopen = () => { feed.sseOpened = true; };
    source.addEventListener('orders', (e) => { feed.sse.push({ id: e.lastEventId, event: JSON.parse(e.data) }); });
    source.onerror = () => { feed.sseErrors += 1; };
  };
</script></body></html>`;
}

interface Called {
  status: number;
  body: Record<string, unknown>;
}

describe('live feed with the admin panel cookie session (headless Chromium)', () => {
  let sandbox: Sandbox;
  let admin: RunningAdmin;
  let panel: DownstreamDouble;
  let other: DownstreamDouble;
  let panelOrigin: string;
  let otherOrigin: string;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    const [adminPort, panelPort, otherPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    panelOrigin = `http://127.0.0.1:${panelPort}`;
    // Same site as the panel (only the port differs), so the SameSite=Lax cookie goes along:
    // only the Origin rule stands between this page and the admin's feed.
    otherOrigin = `http://127.0.0.1:${otherPort}`;
    sandbox = await startAdminSessionSandbox([adminPort]);
    admin = await startSessionAdmin(sandbox, adminPort, {
      ADMIN_SPA_ORIGINS: panelOrigin,
      EVENTS_ALLOWED_ORIGINS: panelOrigin,
      EVENTS_ORDERS_STREAM: 'true',
      // Sessions are checked again this often (logout is seen within it).
      EVENTS_REAUTH_MS: '300',
      // The shortest session allowed, so its end is seen in a test.
      ADMIN_SESSION_TTL_SECONDS: '60',
    });
    const page = {
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: panelPage(admin.url, panelOrigin),
    };
    panel = await startFixedDownstream(page, { port: panelPort });
    other = await startFixedDownstream(page, { port: otherPort });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    await waitFor(
      () => admin.app.get(OrdersFeedSource).connected,
      15_000,
      'admin-bff connected to the orders stream',
    );
  });

  afterEach(async () => {
    await context?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await panel?.close();
    await other?.close();
    await admin?.app.close();
    await sandbox?.close();
  });

  /** Signs usr_0001 (admin) in on the panel; returns the panel page of that browser context. */
  const signIn = async (): Promise<Page> => {
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${panelOrigin}/`);
    await page.click('#login');
    await page.waitForSelector('input#login');
    await page.fill('input#login', 'usr_0001');
    await page.click('#sign-in');
    await page.waitForURL(`${panelOrigin}/`);
    const cookies = await context.cookies(admin.url);
    expect(cookies.map((c) => c.name)).toContain('bff-admin-session');
    return page;
  };

  /** A page of the same browser (same cookies) on the unlisted origin. */
  const otherPage = async (): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(`${otherOrigin}/`);
    return page;
  };

  const call = (page: Page, path: string, method = 'GET', body?: unknown): Promise<Called> =>
    page.evaluate(
      `callBff(${JSON.stringify(path)}, ${JSON.stringify(method)}, ${JSON.stringify(body)})`,
    );

  const pendingOrder = async (page: Page): Promise<string> => {
    const list = await call(page, '/orders?status=pending&pageSize=1');
    expect(list.status).toBe(200);
    return (list.body.items as { id: string }[])[0].id;
  };

  const metric = async (name: string, labels: string): Promise<number> => {
    const text = await (await fetch(`${admin.url}/metrics`)).text();
    const escaped = labels.replace(/[{}]/g, '\\$&');
    const match = new RegExp(`${name}${escaped} (\\d+)`).exec(text);
    return match === null ? 0 : Number(match[1]);
  };
  const refused = (transport: string, status: number) =>
    metric('bff_events_refused_connections_total', `{transport="${transport}",status="${status}"}`);

  it('the signed-in panel receives an order status change over the WebSocket; an unlisted origin is refused', async () => {
    const page = await signIn();
    await page.evaluate('openWs()');
    await page.waitForFunction('feed.ws.some((m) => m.type === "ready")', undefined, {
      timeout: 10_000,
    });

    const id = await pendingOrder(page);
    const changed = await call(page, `/orders/${id}/status`, 'PATCH', {
      status: 'paid',
      reason: 'live feed test',
    });
    expect(changed.status).toBe(200);
    const event = await page.waitForFunction(
      `feed.ws.find((m) => m.type === "event" && m.event.data.order.id === ${JSON.stringify(id)})`,
      undefined,
      { timeout: 10_000 },
    );
    expect(await event.jsonValue()).toMatchObject({
      type: 'event',
      event: {
        topic: 'orders',
        type: 'order.status_changed',
        data: { order: { id, status: 'paid' } },
      },
    });

    // The same cookie from a page on another origin: 403 at the handshake, never opened.
    const before = await refused('ws', 403);
    const stranger = await otherPage();
    await stranger.evaluate('openWs()');
    await stranger.waitForFunction('feed.wsClose !== null', undefined, { timeout: 10_000 });
    expect(await stranger.evaluate('[feed.wsOpened, feed.wsClose]')).toEqual([false, 1006]);
    expect(await refused('ws', 403)).toBe(before + 1);
  });

  it('an EventSource with credentials from the panel receives the change; from an unlisted origin it is refused', async () => {
    const page = await signIn();
    await page.evaluate('openSse()');
    await page.waitForFunction('feed.sseOpened', undefined, { timeout: 10_000 });

    const id = await pendingOrder(page);
    expect((await call(page, `/orders/${id}/status`, 'PATCH', { status: 'paid' })).status).toBe(
      200,
    );
    const received = await page.waitForFunction(
      `feed.sse.find((m) => m.event.data.order.id === ${JSON.stringify(id)})`,
      undefined,
      { timeout: 10_000 },
    );
    const { id: eventId, event } = (await received.jsonValue()) as {
      id: string;
      event: Record<string, unknown>;
    };
    expect(event).toMatchObject({
      topic: 'orders',
      type: 'order.status_changed',
      data: { order: { id, status: 'paid' } },
    });
    expect(eventId).toBe(event.id);

    // Another origin with the same cookie: 403 before the session is read; EventSource gives up.
    const before = await refused('sse', 403);
    const stranger = await otherPage();
    await stranger.evaluate('openSse()');
    await stranger.waitForFunction('source.readyState === EventSource.CLOSED', undefined, {
      timeout: 10_000,
    });
    expect(await stranger.evaluate('[feed.sseOpened, feed.sseErrors]')).toEqual([false, 1]);
    expect(await refused('sse', 403)).toBe(before + 1);
  });

  it('logging out of the panel closes its WebSocket with 4401 and ends its EventSource', async () => {
    const page = await signIn();
    await page.evaluate('openWs(); openSse()');
    await page.waitForFunction(
      'feed.ws.some((m) => m.type === "ready") && feed.sseOpened',
      undefined,
      {
        timeout: 10_000,
      },
    );
    const dropped = {
      ws: await metric(
        'bff_events_dropped_connections_total',
        '{transport="ws",reason="credentials"}',
      ),
      sse: await metric(
        'bff_events_dropped_connections_total',
        '{transport="sse",reason="credentials"}',
      ),
    };

    expect((await call(page, '/auth/logout', 'POST')).status).toBe(200);
    await page.waitForFunction('feed.wsClose !== null', undefined, { timeout: 10_000 });
    expect(await page.evaluate('feed.wsClose')).toBe(4401);
    // The stream ends at the next check; the browser's reconnect has no session left: closed.
    await page.waitForFunction('source.readyState === EventSource.CLOSED', undefined, {
      timeout: 10_000,
    });
    expect(
      await metric('bff_events_dropped_connections_total', '{transport="ws",reason="credentials"}'),
    ).toBe(dropped.ws + 1);
    expect(
      await metric(
        'bff_events_dropped_connections_total',
        '{transport="sse",reason="credentials"}',
      ),
    ).toBe(dropped.sse + 1);
  });

  it('the end of the session (ADMIN_SESSION_TTL_SECONDS) closes its WebSocket with 4401', async () => {
    const signedIn = Date.now();
    const page = await signIn();
    await page.evaluate('openWs()');
    await page.waitForFunction('feed.ws.some((m) => m.type === "ready")', undefined, {
      timeout: 10_000,
    });
    await page.waitForFunction('feed.wsClose !== null', undefined, { timeout: 80_000 });
    expect(await page.evaluate('feed.wsClose')).toBe(4401);
    // Closed by the session's end, not before it.
    expect(Date.now() - signedIn).toBeGreaterThanOrEqual(60_000);
  }, 100_000);
});
