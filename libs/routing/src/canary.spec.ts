import { fnv1a, inCanary, newStickyCookie, stickyIdFrom } from './canary';

describe('canary split', () => {
  it('sends about the configured share, deterministically per key', () => {
    let hits = 0;
    for (let i = 0; i < 20_000; i++) if (inCanary('catalog', `user-${i}`, 10)) hits++;
    expect(hits / 20_000).toBeGreaterThan(0.09);
    expect(hits / 20_000).toBeLessThan(0.11);
    for (let i = 0; i < 100; i++) {
      expect(inCanary('catalog', `user-${i}`, 10)).toBe(inCanary('catalog', `user-${i}`, 10));
    }
    expect(inCanary('catalog', 'anyone', 0)).toBe(false);
    expect(inCanary('catalog', 'anyone', 100)).toBe(true);
  });

  it('splits routes independently and grows the canary without moving its users out', () => {
    const inAt10 = Array.from({ length: 2000 }, (_, i) => `u${i}`).filter((k) =>
      inCanary('r', k, 10),
    );
    expect(inAt10.every((k) => inCanary('r', k, 25))).toBe(true);
    expect(fnv1a('a')).not.toBe(fnv1a('b'));
  });

  it('reads and issues the sticky cookie', () => {
    const { id, cookie } = newStickyCookie(true);
    expect(cookie).toMatch(
      /^bff_sticky=[A-Za-z0-9_-]{22}; Path=\/; Max-Age=2592000; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect(stickyIdFrom(`a=1; bff_sticky=${id}; b=2`)).toBe(id);
    expect(stickyIdFrom('bff_sticky=short')).toBeUndefined();
    expect(stickyIdFrom(undefined)).toBeUndefined();
  });
});
