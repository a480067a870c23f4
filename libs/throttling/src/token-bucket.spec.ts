import { compilePolicy } from './rate-limit.headers';
import { consumeTokens, newBucketState } from './token-bucket';
import { DAY_MS } from './throttling.types';

// 5 tokens per second burst, 20 per minute sustained, 50 per day.
const policy = compilePolicy({ burst: 5, sustained: 20, dailyQuota: 50 }, 1, 60, 'open');
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

function run(n: number, now: number, state = newBucketState(policy, now), cost = 1) {
  const allowed: boolean[] = [];
  for (let i = 0; i < n; i++) allowed.push(consumeTokens(state, policy, cost, now).allowed);
  return { state, passed: allowed.filter(Boolean).length };
}

describe('token bucket (burst + sustained + daily)', () => {
  it('lets exactly the burst through at one instant, then refuses with the refill delay', () => {
    const { state, passed } = run(8, T0);
    expect(passed).toBe(5);
    const d = consumeTokens(state, policy, 1, T0);
    expect(d).toMatchObject({ allowed: false, burstRemaining: 0, violated: 'burst' });
    // One token of a 5-per-second bucket comes back after 200 ms.
    expect(d.retryAfterMs).toBe(200);
    expect(d.burstResetMs).toBe(1000);
  });

  it('refills lazily from the elapsed time, capped at the capacity', () => {
    const { state } = run(5, T0);
    expect(consumeTokens(state, policy, 1, T0 + 199).allowed).toBe(false);
    expect(consumeTokens(state, policy, 1, T0 + 200)).toMatchObject({
      allowed: true,
      burstRemaining: 0,
    });
    // A long pause never gives more than the burst capacity.
    expect(run(10, T0 + 3_600_000, state).passed).toBe(5);
  });

  it('the sustained bucket bounds a steady stream that the burst bucket would allow', () => {
    const state = newBucketState(policy, T0);
    let passed = 0;
    // 5 requests every second for 10 s: the burst bucket always has room, the sustained one
    // (20 per minute, one token per 3 s) runs dry.
    for (let s = 0; s < 10; s++) passed += run(5, T0 + s * 1000, state).passed;
    expect(passed).toBe(20 + 3);
    const d = consumeTokens(state, policy, 1, T0 + 10_000);
    expect(d.violated).toBe('sustained');
    expect(d.retryAfterMs).toBeGreaterThan(0);
    expect(d.retryAfterMs).toBeLessThanOrEqual(3000);
  });

  it('the daily quota stops a caller until 00:00 UTC and resets on the next day', () => {
    const state = newBucketState(policy, T0);
    let passed = 0;
    for (let m = 0; m < 10; m++) passed += run(10, T0 + m * 60_000, state).passed;
    expect(passed).toBe(50);
    const d = consumeTokens(state, policy, 1, T0 + 11 * 60_000);
    expect(d).toMatchObject({ allowed: false, violated: 'daily', dailyRemaining: 0 });
    expect(d.retryAfterMs).toBe(DAY_MS - ((T0 + 11 * 60_000) % DAY_MS));
    const tomorrow = T0 - (T0 % DAY_MS) + DAY_MS;
    expect(consumeTokens(state, policy, 1, tomorrow)).toMatchObject({
      allowed: true,
      dailyRemaining: 49,
    });
  });

  it('charges the weight to every bucket and refuses without taking anything', () => {
    const state = newBucketState(policy, T0);
    expect(consumeTokens(state, policy, 2, T0)).toMatchObject({
      allowed: true,
      burstRemaining: 3,
      sustainedRemaining: 18,
      dailyRemaining: 48,
    });
    consumeTokens(state, policy, 2, T0);
    const refused = consumeTokens(state, policy, 2, T0);
    expect(refused).toMatchObject({ allowed: false, burstRemaining: 1, dailyRemaining: 46 });
    // One token is missing: 200 ms.
    expect(refused.retryAfterMs).toBe(200);
    expect(consumeTokens(state, policy, 1, T0).allowed).toBe(true);
  });

  it('refuses a weight above a capacity with a full bucket, takes nothing, gives no retry delay', () => {
    const state = newBucketState(policy, T0);
    const refused = consumeTokens(state, policy, 6, T0);
    expect(refused).toMatchObject({
      allowed: false,
      overCapacity: true,
      violated: 'burst',
      retryAfterMs: 0,
      burstRemaining: 5,
      sustainedRemaining: 20,
      dailyRemaining: 50,
    });
    // Waiting never helps.
    expect(consumeTokens(state, policy, 6, T0 + 3_600_000).overCapacity).toBe(true);
    // The full capacity itself still fits, once.
    expect(consumeTokens(state, policy, 5, T0 + 3_600_000)).toMatchObject({
      allowed: true,
      overCapacity: false,
      burstRemaining: 0,
    });
  });

  it('names the sustained bucket or the daily quota when that is the capacity below the weight', () => {
    const wide = compilePolicy({ burst: 100, sustained: 20, dailyQuota: 50 }, 1, 60, 'open');
    const state = newBucketState(wide, T0);
    expect(consumeTokens(state, wide, 21, T0)).toMatchObject({
      allowed: false,
      overCapacity: true,
      violated: 'sustained',
      retryAfterMs: 0,
    });
    const daily = compilePolicy({ burst: 100, sustained: 0, dailyQuota: 50 }, 1, 60, 'open');
    expect(consumeTokens(newBucketState(daily, T0), daily, 51, T0)).toMatchObject({
      allowed: false,
      overCapacity: true,
      violated: 'daily',
      dailyRemaining: 50,
    });
    // An ordinary refusal (the cost fits the capacity, not what is left) is not over capacity.
    run(5, T0, state);
    expect(consumeTokens(state, wide, 20, T0)).toMatchObject({
      allowed: false,
      overCapacity: false,
      violated: 'sustained',
    });
  });

  it('ignores a clock going backwards instead of minting tokens', () => {
    const state = newBucketState(policy, T0);
    run(5, T0, state);
    expect(consumeTokens(state, policy, 1, T0 - 10_000).allowed).toBe(false);
  });

  it('works without sustained bucket and daily quota', () => {
    const burstOnly = compilePolicy({ burst: 3, sustained: 0, dailyQuota: 0 }, 10, 60, 'open');
    expect(burstOnly.policyHeader).toBe('"burst";q=3;w=10');
    const state = newBucketState(burstOnly, T0);
    const results = [1, 2, 3, 4].map(() => consumeTokens(state, burstOnly, 1, T0).allowed);
    expect(results).toEqual([true, true, true, false]);
    // 3 tokens per 10 s: one every 3.334 s.
    expect(consumeTokens(state, burstOnly, 1, T0).retryAfterMs).toBe(3334);
  });
});
