import { type Server, createServer } from 'node:http';
import type { Browser } from 'playwright-core';
import { createAdminBff } from '../apps/admin-bff/src/admin-bff.app';
import { freePort } from './support/free-port';
import { type RunningApp, type Sandbox, startApp, startSandbox } from './support/stack';
import { launchBrowser } from './support/browser';

jest.setTimeout(60_000);

/**
 * The Origin rule of the live feed seen from a real browser (Chromium, as the SPA test runs it):
 * the handshake of a page on an allowed origin passes the Origin check (and, with no credentials,
 * is then refused 401), one from another origin is refused 403 before any credential is read.
 * (A page signed in to the admin panel, with its cookie: test/admin-feed-session.e2e-spec.ts.)
 */
describe('live feed from a real browser: Origin allow-list', () => {
  let sandbox: Sandbox;
  let admin: RunningApp;
  let browser: Browser;
  let port: number;
  const pages: Server[] = [];

  beforeAll(async () => {
    port = await freePort();
    // The same page on two origins: 127.0.0.1 (allowed) and 127.0.0.2 (not).
    for (const host of ['127.0.0.1', '127.0.0.2']) {
      const server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html><html><head><title>panel</title></head><body></body></html>');
      });
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
      pages.push(server);
    }
    sandbox = await startSandbox();
    admin = await startApp(createAdminBff, sandbox, {
      EVENTS_ALLOWED_ORIGINS: `http://127.0.0.1:${port}`,
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await admin?.app.close();
    await sandbox?.close();
    for (const server of pages) server.close();
  });

  const refusals = async (status: number): Promise<number> => {
    const text = await (await fetch(`${admin.url}/metrics`)).text();
    const match = new RegExp(
      `bff_events_refused_connections_total\\{transport="ws",status="${status}"\\} (\\d+)`,
    ).exec(text);
    return match === null ? 0 : Number(match[1]);
  };

  /** Opens the feed's WebSocket from a page on `origin`; resolves with whether it opened. */
  const tryFrom = async (origin: string): Promise<{ opened: boolean; code: number }> => {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      return await page.evaluate(
        (url) =>
          new Promise<{ opened: boolean; code: number }>((resolve) => {
            let opened = false;
            const socket = new WebSocket(url);
            socket.onopen = () => (opened = true);
            socket.onclose = (event) => resolve({ opened, code: event.code });
          }),
        `${admin.url.replace('http', 'ws')}/events/ws?topics=orders`,
      );
    } finally {
      await page.close();
    }
  };

  it('refuses a page from another origin with 403, before credentials', async () => {
    const before = await refusals(403);
    const result = await tryFrom(`http://127.0.0.2:${port}`);
    expect(result).toEqual({ opened: false, code: 1006 });
    expect(await refusals(403)).toBe(before + 1);
  });

  it('lets a page from an allowed origin through the Origin check (then 401 without credentials)', async () => {
    const before = { forbidden: await refusals(403), unauthorized: await refusals(401) };
    const result = await tryFrom(`http://127.0.0.1:${port}`);
    expect(result.opened).toBe(false);
    expect(await refusals(401)).toBe(before.unauthorized + 1);
    expect(await refusals(403)).toBe(before.forbidden);
  });
});
