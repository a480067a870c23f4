import helmet from 'helmet';
import type { FastifyReply } from 'fastify';
import { API_CSP, DOCS_CSP, SECURITY_HEADERS, setSecurityHeaders } from './security-headers';

/** What helmet itself sets with the options the project used with @fastify/helmet. */
function helmetHeaders(): Record<string, string> {
  const set: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string) => (set[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete set[name.toLowerCase()],
  };
  helmet({
    contentSecurityPolicy: false,
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-site' },
  })({} as never, res as never, () => undefined);
  return set;
}

function collect(url: string): Record<string, string> {
  const set: Record<string, string> = {};
  const reply = { header: (name: string, value: string) => (set[name] = value) };
  setSecurityHeaders(reply as unknown as FastifyReply, url);
  return set;
}

describe('security headers', () => {
  it('are exactly what helmet sets with the same options (no drift on a helmet upgrade)', () => {
    expect(SECURITY_HEADERS).toEqual(helmetHeaders());
  });

  it('add the strict CSP to API paths and the docs CSP to /docs only', () => {
    expect(collect('/products/1')['content-security-policy']).toBe(API_CSP);
    for (const url of ['/docs', '/docs/', '/docs?x=1', '/docs/swagger-ui.css']) {
      expect(collect(url)['content-security-policy']).toBe(DOCS_CSP);
    }
    for (const url of ['/docsx', '/doc', '/api/docs']) {
      expect(collect(url)['content-security-policy']).toBe(API_CSP);
    }
    expect(collect('/x')).toMatchObject(SECURITY_HEADERS);
  });
});
