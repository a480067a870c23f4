import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { compilePolicy } from './rate-limit.headers';

const policy = compilePolicy({ burst: 3, sustained: 0, dailyQuota: 0 }, 1, 60, 'open');

describe('MemoryRateLimitStore', () => {
  afterEach(() => jest.useRealTimers());

  it('keeps memory bounded: never more keys than maxKeys, least recently seen evicted first', async () => {
    let now = 1_000_000;
    const store = new MemoryRateLimitStore({ maxKeys: 100, now: () => now });
    for (let i = 0; i < 10_000; i++) await store.consume(`caller-${i}`, policy, 1);
    expect(store.size).toBe(100);

    const lru = new MemoryRateLimitStore({ maxKeys: 3, now: () => now });
    for (const key of ['a', 'b', 'c']) await lru.consume(key, policy, 3);
    // "a" is used again, so "b" is now the least recently seen and goes first.
    await lru.consume('a', policy, 1);
    await lru.consume('d', policy, 1);
    now += 1; // no meaningful refill
    expect((await lru.consume('a', policy, 1)).allowed).toBe(false); // still tracked: empty
    expect((await lru.consume('c', policy, 1)).allowed).toBe(false); // still tracked: empty
    expect((await lru.consume('b', policy, 1)).allowed).toBe(true); // evicted: starts full
  });

  it('refuses a cost above the burst capacity without taking a token', async () => {
    const store = new MemoryRateLimitStore({ maxKeys: 10, now: () => 1_000_000 });
    expect(await store.consume('k', policy, 4)).toMatchObject({
      allowed: false,
      overCapacity: true,
      violated: 'burst',
      retryAfterMs: 0,
      burstRemaining: 3,
    });
    expect((await store.consume('k', policy, 3)).allowed).toBe(true);
  });

  it('never creates a timer, whatever the traffic', async () => {
    jest.useFakeTimers();
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    const setIntervalSpy = jest.spyOn(global, 'setInterval');
    const store = new MemoryRateLimitStore({ maxKeys: 1_000 });
    for (let i = 0; i < 5_000; i++) await store.consume(`k${i % 2_000}`, policy, 1);
    for (let i = 0; i < 100; i++) await store.increment(`t${i}`, 1_000, 5, 1_000, 'default');
    expect(jest.getTimerCount()).toBe(0);
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    expect(setIntervalSpy).not.toHaveBeenCalled();
    setTimeoutSpy.mockRestore();
    setIntervalSpy.mockRestore();
  });

  it('implements the @nestjs/throttler storage contract (limit per ttl)', async () => {
    let now = 5_000_000;
    const store = new MemoryRateLimitStore({ maxKeys: 10, now: () => now });
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await store.increment('k', 2_000, 3, 2_000, 'default'));
    expect(hits.map((h) => h.isBlocked)).toEqual([false, false, false, true]);
    expect(hits[2]).toMatchObject({ totalHits: 3, timeToExpire: 2 });
    expect(hits[3]).toMatchObject({ totalHits: 4, timeToBlockExpire: 1 });
    now += 2_000;
    expect((await store.increment('k', 2_000, 3, 2_000, 'default')).isBlocked).toBe(false);
  });
});
