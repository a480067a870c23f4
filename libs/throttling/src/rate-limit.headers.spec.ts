import { parseSfList, rateLimitItems } from '../../../test/support/structured-fields';
import { compilePolicy, formatRateLimit } from './rate-limit.headers';
import { consumeTokens, newBucketState } from './token-bucket';

describe('RateLimit-Policy and RateLimit fields', () => {
  const policy = compilePolicy({ burst: 20, sustained: 600, dailyQuota: 10_000 }, 1, 60, 'open');

  it('RateLimit-Policy is a structured-field List of named policies with q and w', () => {
    expect(policy.policyHeader).toBe(
      '"burst";q=20;w=1, "sustained";q=600;w=60, "daily";q=10000;w=86400',
    );
    expect(rateLimitItems(policy.policyHeader)).toEqual({
      burst: { q: 20, w: 1 },
      sustained: { q: 600, w: 60 },
      daily: { q: 10_000, w: 86_400 },
    });
  });

  it('RateLimit carries r and t per policy and parses back', () => {
    const now = Date.UTC(2030, 5, 1, 23, 59, 0);
    const state = newBucketState(policy, now);
    const d = consumeTokens(state, policy, 3, now);
    const value = formatRateLimit(policy, d);
    expect(value).toMatch(/^"burst";r=\d+;t=\d+, "sustained";r=\d+;t=\d+, "daily";r=\d+;t=\d+$/);
    expect(rateLimitItems(value)).toEqual({
      burst: { r: 17, t: 1 },
      sustained: { r: 597, t: 1 },
      daily: { r: 9_997, t: 60 },
    });
  });

  it('omits disabled policies', () => {
    const burstOnly = compilePolicy({ burst: 5, sustained: 0, dailyQuota: 0 }, 2, 60, 'open');
    const d = consumeTokens(newBucketState(burstOnly, 0), burstOnly, 1, 0);
    expect(formatRateLimit(burstOnly, d)).toBe('"burst";r=4;t=1');
    expect(rateLimitItems(burstOnly.policyHeader)).toEqual({ burst: { q: 5, w: 2 } });
  });

  it('the test parser itself rejects malformed fields', () => {
    const bad = ['"burst"q=1', '"burst";q=1,', '"burst";Q=1', '"burst";q=1.2345', '"a" "b"'];
    for (const value of [...bad, '"unterminated;q=1', 'burst;q=-']) {
      expect(() => parseSfList(value)).toThrow();
    }
    expect(parseSfList('"a";q=1;x, tok;y=?0')).toEqual([
      { value: 'a', params: { q: 1, x: true } },
      { value: { token: 'tok' }, params: { y: false } },
    ]);
  });
});
