import { parseList, serializeList } from 'structured-headers';
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

  it('the test parser reads the examples of RFC 9651 (Structured Field Values)', () => {
    // RFC 9651 section 3.1: "Example-List: sugar, tea, rum"
    expect(parseSfList('sugar, tea, rum').map((i) => i.value)).toEqual([
      { token: 'sugar' },
      { token: 'tea' },
      { token: 'rum' },
    ]);
    // Section 3.1.2: "the "a" parameter here is true, while the "b" parameter is false"
    expect(parseSfList('1; a; b=?0')).toEqual([{ value: 1, params: { a: true, b: false } }]);
    // Section 3.3.2 "Example-Decimal: 4.5", 3.3.3 "Example-String: "hello world"",
    // 3.3.4 "Example-Token: foo123/456", 3.3.6 "Example-Boolean: ?1".
    expect(parseSfList('4.5, "hello world", foo123/456, ?1').map((i) => i.value)).toEqual([
      4.5,
      'hello world',
      { token: 'foo123/456' },
      true,
    ]);
    // Section 3.3.5: "Example-ByteSequence: :cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:"
    const [bytes] = parseSfList(':cHJldGVuZCB0aGlzIGlzIGJpbmFyeSBjb250ZW50Lg==:');
    const base64 = (bytes.value as { bytes: string }).bytes;
    expect(Buffer.from(base64, 'base64').toString()).toBe('pretend this is binary content.');
    // Section 3.3.7 "Example-Date: @1659578233", 3.3.8
    // "Example-DisplayString: %"This is intended for display to %c3%bcsers.""
    // (each its own field: structured-headers 2.1.0 stops at a Date followed by another member)
    expect(parseSfList('@1659578233')[0].value).toEqual({ date: 1659578233 });
    expect(parseSfList('%"This is intended for display to %c3%bcsers."')[0].value).toEqual({
      display: 'This is intended for display to \u00fcsers.',
    });
    // Section 3.1.2: "Example-List: abc;a=1;b=2; cde_456, (ghi;jk=4 l);q="9";r=w"; the RateLimit
    // fields have no inner lists, so the test parser refuses them, the library reads them.
    const example = 'abc;a=1;b=2; cde_456, (ghi;jk=4 l);q="9";r=w';
    expect(() => parseSfList(example)).toThrow(/inner lists/);
    expect(serializeList(parseList(example))).toBe('abc;a=1;b=2;cde_456, (ghi;jk=4 l);q="9";r=w');
  });

  it('RateLimit-Policy serializes as RFC 9651 section 4.1 says (true parameters bare)', () => {
    // Section 4.1.1.3: a Boolean true parameter is written as the key alone.
    expect(serializeList(parseList('1; a; b=?0'))).toBe('1;a;b=?0');
    expect(serializeList(parseList(policy.policyHeader))).toBe(policy.policyHeader);
  });
});
