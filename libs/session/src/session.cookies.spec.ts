import { readCookie, serializeCookie } from './session.cookies';

describe('session cookies', () => {
  it.each([
    ['bff-session=abc', 'abc'],
    ['a=1; bff-session=abc; b=2', 'abc'],
    ['x-bff-session=evil; bff-session=good', 'good'],
    ['bff-session-other=1', undefined],
    ['bff-session=', undefined],
    ['other=bff-session=1', undefined],
    [undefined, undefined],
  ])('reads %p as %p', (header, expected) => {
    expect(readCookie(header, 'bff-session')).toBe(expected);
  });

  it('serialises host-only httpOnly cookies, Secure when asked', () => {
    expect(serializeCookie('__Host-s', 'v', { secure: true, sameSite: 'strict', maxAge: 60 })).toBe(
      '__Host-s=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure',
    );
    expect(serializeCookie('s', '', { secure: false, sameSite: 'lax', maxAge: 0 })).toBe(
      's=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0',
    );
  });
});
