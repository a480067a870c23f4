import { parseCacheControl, sharedStoragePolicy } from './cache-control';

const defaults = { defaultTtlSeconds: 0, defaultStaleIfErrorSeconds: 0 };

describe('parseCacheControl', () => {
  it('reads the directives a shared cache acts on, case-insensitively', () => {
    expect(
      parseCacheControl(
        'Public, max-age=60, S-MAXAGE="120", stale-while-revalidate=30, stale-if-error=600',
      ),
    ).toEqual({
      noStore: false,
      noCache: false,
      private: false,
      public: true,
      mustRevalidate: false,
      maxAge: 60,
      sMaxAge: 120,
      staleWhileRevalidate: 30,
      staleIfError: 600,
    });
    expect(parseCacheControl(['no-store', 'private'])).toMatchObject({
      noStore: true,
      private: true,
    });
    expect(parseCacheControl('max-age=abc').maxAge).toBeUndefined();
  });
});

describe('sharedStoragePolicy', () => {
  it('uses s-maxage over max-age and subtracts Age', () => {
    expect(
      sharedStoragePolicy(
        200,
        { 'cache-control': 'max-age=10, s-maxage=60', age: '20' },
        false,
        defaults,
      ),
    ).toEqual({ freshMs: 40_000, swrMs: 0, sieMs: 0 });
  });

  it('keeps the stale windows', () => {
    expect(
      sharedStoragePolicy(
        200,
        { 'cache-control': 'max-age=5, stale-while-revalidate=7, stale-if-error=60' },
        false,
        defaults,
      ),
    ).toEqual({ freshMs: 5_000, swrMs: 7_000, sieMs: 60_000 });
  });

  it.each([
    ['no-store', { 'cache-control': 'no-store, max-age=60' }],
    ['private', { 'cache-control': 'private, max-age=60' }],
    ['no-cache', { 'cache-control': 'no-cache' }],
    ['Set-Cookie', { 'cache-control': 'max-age=60', 'set-cookie': 'a=b' }],
    ['Vary: *', { 'cache-control': 'max-age=60', vary: '*' }],
    ['no freshness and no default', {}],
  ])('never stores a response with %s', (_name, headers) => {
    expect(sharedStoragePolicy(200, headers, false, defaults)).toBeUndefined();
  });

  it('stores only 200s', () => {
    expect(
      sharedStoragePolicy(404, { 'cache-control': 'max-age=60' }, false, defaults),
    ).toBeUndefined();
  });

  it('stores the answer to a credentialed request only when the response allows sharing', () => {
    const h = { 'cache-control': 'max-age=60' };
    expect(sharedStoragePolicy(200, h, true, defaults)).toBeUndefined();
    expect(
      sharedStoragePolicy(200, { 'cache-control': 'public, max-age=60' }, true, defaults),
    ).toBeDefined();
    expect(
      sharedStoragePolicy(200, { 'cache-control': 's-maxage=60' }, true, defaults),
    ).toBeDefined();
  });

  it('applies the configured default only without any freshness information', () => {
    const d = { defaultTtlSeconds: 30, defaultStaleIfErrorSeconds: 300 };
    expect(sharedStoragePolicy(200, {}, false, d)).toEqual({
      freshMs: 30_000,
      swrMs: 0,
      sieMs: 300_000,
    });
    expect(sharedStoragePolicy(200, { 'cache-control': 'max-age=0' }, false, d)).toEqual({
      freshMs: 0,
      swrMs: 0,
      sieMs: 300_000,
    });
  });

  it('must-revalidate forbids serving stale', () => {
    expect(
      sharedStoragePolicy(
        200,
        { 'cache-control': 'max-age=5, must-revalidate, stale-if-error=60' },
        false,
        defaults,
      ),
    ).toEqual({ freshMs: 5_000, swrMs: 0, sieMs: 0 });
  });

  it('reads Expires relative to Date', () => {
    const date = 'Tue, 01 Jul 2025 10:00:00 GMT';
    const expires = 'Tue, 01 Jul 2025 10:01:00 GMT';
    expect(sharedStoragePolicy(200, { date, expires }, false, defaults)?.freshMs).toBe(60_000);
  });
});
