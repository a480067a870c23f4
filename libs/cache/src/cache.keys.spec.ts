import {
  canonicalDownstreamPath,
  canonicalPath,
  canonicalQuery,
  etagMatches,
  hasCredentials,
  strongEtag,
  variantKey,
  varyHeaders,
} from './cache.keys';

describe('canonicalPath', () => {
  it('rebuilds the path from the route pattern and re-encodes parameters one way', () => {
    expect(canonicalPath('/products/:id', { id: 'prd_0001' })).toBe('/products/prd_0001');
    expect(canonicalPath('/v2/products/:id', { id: 'a b' })).toBe('/v2/products/a%20b');
    expect(canonicalPath('/home', {})).toBe('/home');
    expect(canonicalPath('/a/:x-:y', { x: '1', y: '2' })).toBe('/a/1-2');
  });

  it('refuses parameters another layer could read differently', () => {
    for (const id of ['..', '.', '', 'x.', 'a/b', 'a\\b']) {
      expect(canonicalPath('/orders/:id', { id })).toBeUndefined();
    }
    expect(canonicalPath('/orders/:id', {})).toBeUndefined();
  });

  it('handles wildcards segment by segment', () => {
    expect(canonicalPath('/api/*', { '*': 'me/x.css' })).toBe('/api/me/x.css');
    expect(canonicalPath('/api/*', { '*': 'me//x' })).toBeUndefined();
    expect(canonicalPath('/api/*', { '*': 'orders/ord_00001/../ord_00002' })).toBeUndefined();
    expect(canonicalPath('/api/*', { '*': 'orders/ord_00001.' })).toBeUndefined();
  });
});

describe('canonicalQuery', () => {
  it('sorts names, keeps repeated values and encodes one way', () => {
    expect(canonicalQuery({ b: '2', a: ['y', 'x'], c: undefined })).toBe('a=y&a=x&b=2');
    expect(canonicalQuery({ q: 'a&b=c' })).toBe('q=a%26b%3Dc');
    expect(canonicalQuery(undefined)).toBe('');
  });

  it('refuses a query naming parameters outside the given list', () => {
    expect(canonicalQuery({ userId: 'u1' }, ['userId'])).toBe('userId=u1');
    expect(canonicalQuery({}, [])).toBe('');
    expect(canonicalQuery({ userId: 'u1', utm: 'x' }, ['userId'])).toBeUndefined();
    expect(canonicalQuery({ utm: 'x' }, [])).toBeUndefined();
  });

  it('sorts downstream query strings', () => {
    expect(canonicalDownstreamPath('/products?pageSize=12&featured=true')).toBe(
      '/products?featured=true&pageSize=12',
    );
    expect(canonicalDownstreamPath('/products')).toBe('/products');
  });
});

describe('validators and variants', () => {
  it('matches If-None-Match with weak comparison, lists and *', () => {
    const etag = strongEtag('{"a":1}');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(etagMatches(etag, etag)).toBe(true);
    expect(etagMatches(`"x", W/${etag}`, etag)).toBe(true);
    expect(etagMatches('*', etag)).toBe(true);
    expect(etagMatches('"other"', etag)).toBe(false);
    expect(etagMatches(undefined, etag)).toBe(false);
    expect(strongEtag('{"a":2}')).not.toBe(etag);
  });

  it('drops Accept-Encoding and Origin from Vary and refuses Vary: *', () => {
    expect(varyHeaders('Accept-Encoding, Accept, X-Tenant')).toEqual(['accept', 'x-tenant']);
    expect(varyHeaders('accept-encoding')).toEqual([]);
    expect(varyHeaders('Origin')).toEqual([]);
    expect(varyHeaders('*')).toBe('*');
    expect(variantKey(['accept'], { accept: 'a' })).not.toBe(
      variantKey(['accept'], { accept: 'b' }),
    );
  });

  it('spots credentials', () => {
    expect(hasCredentials({ authorization: 'Bearer x' })).toBe(true);
    expect(hasCredentials({ cookie: 'sid=1' })).toBe(true);
    expect(hasCredentials({ 'x-api-key': 'k' })).toBe(true);
    expect(hasCredentials({ accept: '*/*' })).toBe(false);
  });
});
