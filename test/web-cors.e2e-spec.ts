import type { Browser, Page } from 'playwright-core';
import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { type TestIssuer, startTestIssuer } from './support/auth';
import { callBffIn, launchBrowser, openPage } from './support/browser';
import { type DownstreamDouble, startFixedDownstream } from './support/downstream-doubles';
import { freePort } from './support/free-port';
import { type RunningApp, type Sandbox, startApp, startSandbox } from './support/stack';

jest.setTimeout(60_000);

/** Headers the SPA must be able to read cross-origin (plus `vary`, which is never exposed). */
const READ = [
  'etag',
  'ratelimit',
  'ratelimit-policy',
  'retry-after',
  'x-request-id',
  'x-partial-response',
  'vary',
];

/** A page on its own origin whose script calls the BFF and reports the headers it can read. */
function spaPage(bffUrl: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>SPA</title></head><body><script>
  window.callBff = async (path, headers) => {
    const res = await fetch(${JSON.stringify(bffUrl)} + path, {
      credentials: 'include', cache: 'no-store', headers,
    });
    const seen = {};
    for (const name of ${JSON.stringify(READ)}) seen[name] = res.headers.get(name);
    return { status: res.status, headers: seen, body: await res.json() };
  };
</script></body></html>`;
}

type Result = { status: number; headers: Record<string, string | null>; body: { code?: string } };

describe('web CORS from a real browser (headless Chromium)', () => {
  let sandbox: Sandbox;
  let web: RunningApp;
  let issuer: TestIssuer;
  let spa: DownstreamDouble;
  let stranger: DownstreamDouble;
  let spaOrigin: string;
  let browser: Browser;

  beforeAll(async () => {
    const [spaPort, strangerPort] = [await freePort(), await freePort()];
    spaOrigin = `http://127.0.0.1:${spaPort}`;
    sandbox = await startSandbox();
    issuer = await startTestIssuer();
    web = await startApp(createWebBff, sandbox, {
      WEB_SPA_ORIGINS: spaOrigin,
      RATE_LIMIT_STORE: 'memory',
      // A signed-in caller gets two tokens: one product page (weight 2), then 429.
      RATE_LIMIT_STANDARD_BURST: '2',
      RATE_LIMIT_STANDARD_SUSTAINED: '0',
      ...issuer.env,
    });
    const html = {
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: spaPage(web.url),
    };
    spa = await startFixedDownstream(html, { port: spaPort });
    stranger = await startFixedDownstream(html, { port: strangerPort });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await spa?.close();
    await stranger?.close();
    await web?.app.close();
    await sandbox?.close();
    await issuer?.close();
  });

  afterEach(() => sandbox.faults.reset());

  const open = async (url: string): Promise<Page> => (await openPage(browser, url)).page;
  const call = (page: Page, path: string, headers: Record<string, string> = {}) =>
    callBffIn<Result>(page, path, headers);

  it('answers the preflight of the SPA origin with its methods, headers and max-age', async () => {
    const res = await fetch(`${web.url}/products/prd_0001`, {
      method: 'OPTIONS',
      headers: {
        origin: spaOrigin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,x-csrf',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(spaOrigin);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/x-csrf/);
    expect(res.headers.get('access-control-max-age')).toBe('600');
    const foreign = await fetch(`${web.url}/products/prd_0001`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'GET' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the SPA read ETag, RateLimit, RateLimit-Policy, X-Request-Id and X-Partial-Response', async () => {
    const page = await open(`${spaOrigin}/`);
    const product = await call(page, '/products/prd_0001');
    expect(product.status).toBe(200);
    expect(product.headers.etag).toMatch(/^(W\/)?"/);
    expect(product.headers.ratelimit).toMatch(/"burst";r=\d+;t=\d+/);
    expect(product.headers['ratelimit-policy']).toMatch(/"burst";q=20;w=1/);
    expect(product.headers['x-request-id']).toMatch(/^[\w-]{8,}$/);
    // Not exposed, so the browser hides it although the response carries it.
    expect(product.headers.vary).toBeNull();

    sandbox.faults.set('reviews', { errorRate: 1 });
    const partial = await call(page, '/products/prd_0002');
    expect(partial.status).toBe(200);
    expect(partial.headers['x-partial-response']).toBe('reviews');
  });

  it('lets the SPA read Retry-After of a 429, after a preflighted call with Authorization', async () => {
    const page = await open(`${spaOrigin}/`);
    const auth = issuer.headers({ sub: 'usr_0003', aud: 'web-bff' });
    const first = await call(page, '/products/prd_0004', auth);
    expect(first.status).toBe(200);
    const limited = await call(page, '/products/prd_0004', auth);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toMatch(/RATE_LIMIT/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers.ratelimit).toMatch(/"burst";r=0/);
  });

  it('gives another origin nothing to read: the browser blocks the call', async () => {
    const page = await open(`${stranger.url}/`);
    await expect(call(page, '/products/prd_0001')).rejects.toThrow(/Failed to fetch/);
  });
});
