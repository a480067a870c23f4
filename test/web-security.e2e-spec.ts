import { createWebBff } from '../apps/web-bff/src/web-bff.app';
import { type RunningApp, type Sandbox, startApp, startSandbox } from './support/stack';

const SPA = 'https://spa.example.com';

describe('web-bff browser security', () => {
  let sandbox: Sandbox;
  let web: RunningApp;

  beforeAll(async () => {
    sandbox = await startSandbox();
    web = await startApp(createWebBff, sandbox, { WEB_SPA_ORIGINS: SPA });
  });

  afterAll(async () => {
    await web?.app.close();
    await sandbox?.close();
  });

  it('sends API security headers on every answer, errors included', async () => {
    for (const path of ['/health/live', '/api/v1/catalog/products/prd_0001', '/nope']) {
      const res = await fetch(`${web.url}${path}`);
      const h = res.headers;
      expect(h.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
      expect(h.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(h.get('x-content-type-options')).toBe('nosniff');
      expect(h.get('x-frame-options')).toBe('DENY');
      expect(h.get('referrer-policy')).toBe('no-referrer');
      await res.arrayBuffer();
    }
  });

  it('CORS: the configured SPA origin only, with credentials only for it', async () => {
    const preflight = await fetch(`${web.url}/api/v1/catalog/products/prd_0001`, {
      method: 'OPTIONS',
      headers: {
        origin: SPA,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');

    const allowed = await fetch(`${web.url}/api/v1/catalog/products/prd_0001`, {
      headers: { origin: SPA },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(allowed.headers.get('vary')).toMatch(/origin/i);

    for (const origin of ['https://evil.example', 'https://spa.example.com.evil.example', 'null']) {
      const res = await fetch(`${web.url}/api/v1/catalog/products/prd_0001`, {
        headers: { origin },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      await res.arrayBuffer();
    }
  });
});
