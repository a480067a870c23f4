import { originAllowed, refusedTopics, tokenExpiry } from './feed.access';
import { parseTopics } from './events.types';

describe('feed access rules', () => {
  const allowed = ['https://admin.example.com'];

  it('demands an allowed Origin whenever one is sent, and for cookie-only credentials', () => {
    expect(originAllowed({ authorization: 'Bearer x' }, allowed)).toBe(true);
    expect(
      originAllowed({ authorization: 'Bearer x', origin: 'https://evil.example' }, allowed),
    ).toBe(false);
    expect(originAllowed({ cookie: 's=1' }, allowed)).toBe(false);
    expect(originAllowed({ cookie: 's=1', origin: 'https://admin.example.com' }, allowed)).toBe(
      true,
    );
    expect(originAllowed({ cookie: 's=1', origin: 'https://evil.example' }, allowed)).toBe(false);
    expect(originAllowed({ 'x-api-key': 'k' }, allowed)).toBe(true);
  });

  it("accepts a cookie without Origin only from the BFF's own pages (Sec-Fetch-Site)", () => {
    expect(originAllowed({ cookie: 's=1', 'sec-fetch-site': 'same-origin' }, allowed)).toBe(true);
    expect(originAllowed({ cookie: 's=1', 'sec-fetch-site': 'same-site' }, allowed)).toBe(false);
    expect(originAllowed({ cookie: 's=1', 'sec-fetch-site': 'cross-site' }, allowed)).toBe(false);
    // An Origin, when sent, is what counts.
    expect(
      originAllowed(
        { cookie: 's=1', origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
        allowed,
      ),
    ).toBe(false);
  });

  it('checks roles and scopes per topic', () => {
    const support = { roles: ['support'], scopes: ['orders:read'] };
    expect(refusedTopics(support, ['orders'])).toBeUndefined();
    expect(refusedTopics(support, ['orders', 'ops'])?.message).toMatch(/roles: admin/);
    expect(refusedTopics({ roles: ['admin'], scopes: ['orders:read'] }, ['ops'])?.scopes).toEqual([
      'ops:read',
    ]);
  });

  it('reads topics and token expiry', () => {
    expect(parseTopics(undefined)).toEqual({ topics: ['orders', 'ops'] });
    expect(parseTopics('ops,ops')).toEqual({ topics: ['ops'] });
    expect(parseTopics('ops,x')).toEqual({ unknown: ['x'] });
    const payload = Buffer.from(JSON.stringify({ exp: 100 })).toString('base64url');
    expect(tokenExpiry(`Bearer h.${payload}.s`)).toBe(100_000);
    expect(tokenExpiry(undefined)).toBeUndefined();
  });
});
