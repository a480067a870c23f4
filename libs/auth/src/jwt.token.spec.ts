import { InvalidCredentialsError } from './auth.errors';
import { assertAccessToken, decodeJwt, principalFromClaims } from './jwt.token';

const seg = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (header: unknown, payload: unknown) => `${seg(header)}.${seg(payload)}.c2ln`;
const TYPES = ['at+jwt', 'application/at+jwt', 'JWT'];

describe('decodeJwt', () => {
  it('decodes header and payload without verifying', () => {
    const token = decodeJwt(jwt({ alg: 'RS256', kid: 'k1' }, { iss: 'i' }), 8192);
    expect(token.header).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(token.payload).toEqual({ iss: 'i' });
  });

  it.each([
    ['too large', 'a'.repeat(9000), /too large/],
    ['two parts', 'abc.def', /Malformed/],
    ['empty signature', `${seg({ alg: 'RS256' })}.${seg({})}.`, /Malformed/],
    ['bad base64', '***.***.***', /Malformed/],
    ['non-JSON', 'bm90.bm90.c2ln', /Malformed/],
    ['array payload', jwt({ alg: 'RS256' }, [1]), /Malformed/],
    ['alg none', jwt({ alg: 'none' }, {}), /Unsigned/],
    ['alg NONE', jwt({ alg: 'NONE' }, {}), /Unsigned/],
    ['no alg', jwt({}, {}), /Unsigned/],
    ['crit header', jwt({ alg: 'RS256', crit: ['b64'] }, {}), /critical/],
    ['numeric kid', jwt({ alg: 'RS256', kid: 1 }, {}), /Malformed/],
  ])('refuses %s', (_what, raw, message) => {
    expect(() => decodeJwt(raw, 8192)).toThrow(InvalidCredentialsError);
    expect(() => decodeJwt(raw, 8192)).toThrow(message);
  });
});

describe('assertAccessToken', () => {
  const check = (header: object, payload: object, types = TYPES) =>
    assertAccessToken(decodeJwt(jwt({ alg: 'RS256', ...header }, payload), 8192), types);

  it('accepts at+jwt, and JWT/untyped tokens that carry client_id', () => {
    expect(() => check({ typ: 'at+jwt' }, {})).not.toThrow();
    expect(() => check({ typ: 'application/at+jwt' }, {})).not.toThrow();
    expect(() => check({ typ: 'JWT' }, { client_id: 'c' })).not.toThrow();
    expect(() => check({}, { client_id: 'c' })).not.toThrow();
  });

  it.each([
    ['refresh token type', { typ: 'refresh+jwt' }, { client_id: 'c' }],
    ['JWT without client_id', { typ: 'JWT' }, {}],
    ['ID token (nonce)', { typ: 'at+jwt' }, { nonce: 'n' }],
    ['ID token (at_hash)', { typ: 'JWT' }, { client_id: 'c', at_hash: 'x' }],
    ['Cognito ID token', { typ: 'JWT' }, { client_id: 'c', token_use: 'id' }],
  ])('refuses %s', (_what, header, payload) => {
    expect(() => check(header, payload)).toThrow(/access token/);
  });

  it('is strict RFC 9068 when JWT is not configured', () => {
    expect(() => check({ typ: 'JWT' }, { client_id: 'c' }, ['at+jwt'])).toThrow(/access token/);
  });
});

describe('principalFromClaims', () => {
  const exp = 2_000_000_000;

  it('maps sub, roles, scope, tier, org and client', () => {
    expect(
      principalFromClaims(
        {
          sub: 'usr_0001',
          exp,
          roles: ['admin', 'bad role\r\n', 7],
          scope: 'orders:read orders:write',
          tier: 'premium',
          org_id: 'org_1',
          client_id: 'spa',
        },
        'user',
      ),
    ).toEqual({
      subject: 'usr_0001',
      kind: 'user',
      roles: ['admin'],
      scopes: ['orders:read', 'orders:write'],
      tier: 'premium',
      orgId: 'org_1',
      clientName: 'spa',
    });
  });

  it('falls back to standard tier, reads scp arrays, lets internal tokens force their tier', () => {
    const p = principalFromClaims({ sub: 's', exp, tier: 'god', scp: ['a'] }, 'user');
    expect(p).toMatchObject({ tier: 'standard', scopes: ['a'], roles: [] });
    expect(
      principalFromClaims({ sub: 's', exp, tier: 'standard' }, 'service', 'internal').tier,
    ).toBe('internal');
  });

  it.each([
    ['no sub', { exp }],
    ['header-unsafe sub', { sub: 'a\r\nx-user-id: admin', exp }],
    ['no exp', { sub: 's' }],
  ])('refuses %s', (_what, claims) => {
    expect(() => principalFromClaims(claims, 'user')).toThrow(InvalidCredentialsError);
  });
});
