import type { IncomingMessage } from 'node:http';
import { ApiVersioning, deprecationHeaders } from './api-versioning';
import { versionRank } from './app-version.hook';

const req = (url: string, accept?: string) =>
  ({ url, headers: accept === undefined ? {} : { accept } }) as unknown as IncomingMessage;

describe('ApiVersioning.rewriteUrl', () => {
  const v = new ApiVersioning({
    vendor: 'mobile',
    versions: ['1', '2'],
    unversionedPrefixes: ['/api/v1/catalog'],
  });

  it('maps the media type onto the URI version and leaves URI versions alone', () => {
    expect(v.rewriteUrl(req('/products/1', 'application/vnd.mobile.v2+json'))).toBe(
      '/v2/products/1',
    );
    expect(
      v.rewriteUrl(req('/products/1?x=1', 'application/json, application/vnd.mobile.v1+json')),
    ).toBe('/v1/products/1?x=1');
    expect(v.rewriteUrl(req('/v2/products/1', 'application/json'))).toBe('/v2/products/1');
    expect(v.rewriteUrl(req('/products/1'))).toBe('/products/1');
    expect(v.rewriteUrl(req('/products/1', 'application/vnd.other.v2+json'))).toBe('/products/1');
  });

  it('never versions health, docs or pass-through routes', () => {
    const accept = 'application/vnd.mobile.v2+json';
    expect(v.rewriteUrl(req('/health/live', accept))).toBe('/health/live');
    expect(v.rewriteUrl(req('/docs/json', accept))).toBe('/docs/json');
    expect(v.rewriteUrl(req('/api/v1/catalog/products/1', accept))).toBe(
      '/api/v1/catalog/products/1',
    );
    expect(v.rewriteUrl(req('/healthz', accept))).toBe('/v2/healthz');
  });
});

describe('deprecation headers', () => {
  it('formats Deprecation (RFC 9745) and Sunset (RFC 8594)', () => {
    expect(
      deprecationHeaders({ since: '2026-06-01', sunset: '2027-06-30', link: '/docs' }),
    ).toEqual({
      deprecation: '@1780272000',
      sunset: 'Wed, 30 Jun 2027 00:00:00 GMT',
      link: '</docs>; rel="deprecation"',
    });
    expect(() => deprecationHeaders({ since: 'soon', sunset: 'later' })).toThrow(/ISO dates/);
  });
});

describe('versionRank', () => {
  it('orders app versions numerically', () => {
    expect(versionRank('2.10.0')! > versionRank('2.9.9')!).toBe(true);
    expect(versionRank('3')).toBe(versionRank('3.0.0'));
    expect(versionRank('1.2.3.4')).toBeUndefined();
    expect(versionRank('1.x')).toBeUndefined();
  });
});
