import { decidePolicy, varyNames, wellFormedCacheControl } from './http-cache.policy';

const request = { url: 'k', method: 'GET', headers: {} };
const bounds = { defaultTtlSeconds: 60, maxTtlSeconds: 300 };
const decide = (headers: Record<string, string>, status = 200, shared = true) =>
  decidePolicy({ request, status, headers, shared, bounds });

describe('decidePolicy (shared cache, RFC 9111 via http-cache-semantics)', () => {
  it('lets origin freshness decide below the route ceiling', () => {
    const policy = decide({ 'cache-control': 'max-age=30' });
    expect(typeof policy).toBe('object');
    if (typeof policy === 'string') return;
    expect(policy.maxAge()).toBe(30);
    const long = decide({ 'cache-control': 's-maxage=100000, max-age=10' });
    expect(typeof long !== 'string' && long.maxAge()).toBe(300);
  });

  it('gives 200s without freshness information the route default, and nothing else', () => {
    const plain = decide({});
    expect(typeof plain !== 'string' && plain.maxAge()).toBe(60);
    // A 404 without freshness information is not given the default.
    expect(decide({}, 404)).toBe('no-freshness');
    // Explicit max-age=0 is explicit: no default.
    const zero = decide({ 'cache-control': 'max-age=0', etag: '"a"' });
    expect(typeof zero !== 'string' && zero.maxAge()).toBe(0);
  });

  it('refuses what a shared cache must not store', () => {
    expect(decide({ 'cache-control': 'no-store, max-age=60' })).toBe('not-storable');
    expect(decide({ 'cache-control': 'nO-StOrE' })).toBe('not-storable');
    expect(decide({ 'cache-control': 'private, max-age=60' })).toBe('not-storable');
    expect(decide({ 'cache-control': 'max-age=60', 'set-cookie': 'a=1' })).toBe('set-cookie');
    expect(decide({ 'cache-control': 'max-age=60', vary: '*' })).toBe('vary-star');
    expect(decide({ 'cache-control': 'max-age=60', vary: 'Foo, *' })).toBe('vary-star');
  });

  it('is conservative with malformed or hostile input', () => {
    expect(decide({ 'cache-control': 'max-age=abc' })).toBe('malformed-cache-control');
    expect(decide({ 'cache-control': 'max-age=-1' })).toBe('malformed-cache-control');
    const names = Array.from({ length: 100 }, (_, i) => `h${i}`).join(', ');
    expect(decide({ 'cache-control': 'max-age=60', vary: names })).toBe('vary-too-large');
    // An Expires that is not an HTTP-date means already expired.
    const bad = decide({ expires: '2099-01-01T00:00:00Z', etag: '"a"' });
    expect(typeof bad !== 'string' && bad.maxAge()).toBe(0);
  });

  it('honours CDN-Cache-Control over Cache-Control, and ignores an invalid one', () => {
    const cdn = decide({ 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=120' });
    expect(typeof cdn !== 'string' && cdn.maxAge()).toBe(120);
    expect(decide({ 'cache-control': 'max-age=60', 'cdn-cache-control': 'private' })).toBe(
      'not-storable',
    );
    expect(decide({ 'cache-control': 'no-store', 'cdn-cache-control': 'max-age="10"' })).toBe(
      'not-storable',
    );
  });

  it('serves a fresh must-revalidate answer without revalidation, and revalidates it once stale', () => {
    const policy = decide({ 'cache-control': 'max-age=60, must-revalidate' });
    if (typeof policy === 'string') throw new Error(policy);
    expect(policy.evaluateRequest(request).revalidation).toBeUndefined();
  });
});

describe('varyNames / wellFormedCacheControl', () => {
  it('parses Vary once, sorted and lower-cased', () => {
    expect(varyNames('Foo, accept-Language,foo')).toEqual(['accept-language', 'foo']);
    expect(varyNames(undefined)).toEqual([]);
    expect(varyNames('x'.repeat(600))).toBe('too-large');
  });

  it('accepts delta-seconds (quoted too) and refuses anything else in freshness directives', () => {
    expect(wellFormedCacheControl('public, max-age=003600, stale-if-error="60"')).toBe(true);
    expect(wellFormedCacheControl('max-age=3600.5')).toBe(false);
    expect(wellFormedCacheControl('s-maxage=1e3')).toBe(false);
    expect(wellFormedCacheControl(undefined)).toBe(true);
  });
});
