import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import { compilePolicy } from './rate-limit.headers';
import { RateLimitStoreUnavailableError } from './rate-limit.errors';
import { RedisRateLimitStore, type RedisScriptClient } from './redis-rate-limit.store';

const open = compilePolicy({ burst: 2, sustained: 0, dailyQuota: 0 }, 60, 60, 'open');
const closed = { ...open, failureMode: 'closed' as const };
const REPLY = [1, 1, 30_000, 0, 0, 0, 1_000, 0, 0, 0];

/** A scripted stand-in for ioredis: status, a reply or an error per call. */
class FakeRedis implements RedisScriptClient {
  status = 'ready';
  calls: string[] = [];
  next: (() => Promise<unknown>) | undefined;
  private errorListener: ((e: Error) => void) | undefined;
  evalsha(sha: string, _n: number, ...args: (string | number)[]): Promise<unknown> {
    this.calls.push(`evalsha ${args.join(' ')}`);
    return this.next?.() ?? Promise.resolve(REPLY);
  }
  eval(_script: string, _n: number, ...args: (string | number)[]): Promise<unknown> {
    this.calls.push(`eval ${args.join(' ')}`);
    return Promise.resolve(REPLY);
  }
  on(_event: 'error', listener: (e: Error) => void): this {
    this.errorListener = listener;
    return this;
  }
  emitError(message: string): void {
    this.errorListener?.(new Error(message));
  }
  disconnect = jest.fn();
}

async function storeErrors(mode: string): Promise<number> {
  const metric = await register.getSingleMetric('bff_rate_limit_store_errors_total')?.get();
  return metric?.values.find((v) => v.labels.mode === mode)?.value ?? 0;
}

function setup() {
  let now = 1_000;
  const client = new FakeRedis();
  const logger = { warn: jest.fn(), log: jest.fn() };
  const store = new RedisRateLimitStore({
    client,
    timeoutMs: 50,
    keyPrefix: 'p:',
    fallbackMaxKeys: 100,
    probeIntervalMs: 1_000,
    now: () => now,
    logger,
  });
  return { client, logger, store, advance: (ms: number) => (now += ms) };
}

describe('RedisRateLimitStore', () => {
  it('checks every bucket in one EVALSHA with the prefixed key and the policy', async () => {
    const { client, store } = setup();
    const d = await store.consume('web:all:anonymous:1.2.3.4', open, 2);
    expect(client.calls).toEqual(['evalsha p:web:all:anonymous:1.2.3.4 2 60000 0 60000 0 2']);
    expect(d).toMatchObject({ allowed: true, burstRemaining: 1, shared: true });
  });

  it('falls back to EVAL when Redis lost its script cache (NOSCRIPT)', async () => {
    const { client, store } = setup();
    client.next = () => Promise.reject(new Error('NOSCRIPT No matching script.'));
    expect((await store.consume('k', open, 1)).shared).toBe(true);
    expect(client.calls.map((c) => c.split(' ')[0])).toEqual(['evalsha', 'eval']);
  });

  it('fail-open: answers from the local limiter, logs once per outage, counts every check', async () => {
    const { client, logger, store, advance } = setup();
    const before = await storeErrors('open');
    client.emitError('connect ECONNREFUSED');
    client.status = 'reconnecting';
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await store.consume('k', open, 1));
    expect(results.map((r) => [r.allowed, r.shared])).toEqual([
      [true, false],
      [true, false],
      [false, false],
    ]);
    client.emitError('connect ECONNREFUSED'); // ioredis repeats errors while reconnecting
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(client.calls).toHaveLength(0); // no request waited on the dead connection
    expect((await storeErrors('open')) - before).toBe(3);

    client.status = 'ready';
    advance(10);
    expect((await store.consume('k', open, 1)).shared).toBe(true);
    expect(logger.log).toHaveBeenCalledTimes(1);
    expect(store.isDown).toBe(false);

    // A second outage is logged again, once.
    client.status = 'reconnecting';
    await store.consume('k', open, 1);
    await store.consume('k', open, 1);
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });

  it('does not report an outage while the first connection is being set up', async () => {
    const { client, logger, store } = setup();
    client.status = 'connecting';
    expect((await store.consume('k', open, 1)).shared).toBe(false);
    expect(logger.warn).not.toHaveBeenCalled();
    client.emitError('connect ECONNREFUSED 127.0.0.1:6390');
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('fail-closed: refuses with a typed 503 error', async () => {
    const { client, store } = setup();
    const before = await storeErrors('closed');
    client.status = 'connecting';
    await expect(store.consume('k', closed, 1)).rejects.toBeInstanceOf(
      RateLimitStoreUnavailableError,
    );
    await expect(store.consume('k', closed, 1)).rejects.toMatchObject({
      status: 503,
      code: 'RATE_LIMIT_UNAVAILABLE',
    });
    expect((await storeErrors('closed')) - before).toBe(2);
  });

  it('a hung Redis (command timeout) is skipped until the probe interval has passed', async () => {
    const { client, store, advance } = setup();
    client.next = () => Promise.reject(new Error('Command timed out'));
    expect((await store.consume('k', open, 1)).shared).toBe(false);
    client.next = undefined;
    advance(500);
    expect((await store.consume('k', open, 1)).shared).toBe(false);
    expect(client.calls).toHaveLength(1);
    advance(600);
    expect((await store.consume('k', open, 1)).shared).toBe(true);
    expect(client.calls).toHaveLength(2);
  });

  it('closes the connection on shutdown without waiting on Redis (a frozen one would hold it)', async () => {
    const { client, store } = setup();
    await store.onModuleDestroy();
    expect(client.disconnect).toHaveBeenCalledTimes(1);
    client.status = 'end';
    await store.onModuleDestroy();
    expect(client.disconnect).toHaveBeenCalledTimes(1);
  });
});

// The Lua script against a real Redis (the machine's, under a random prefix): it must agree with
// token-bucket.ts, which the memory store uses.
describe('RedisRateLimitStore on a real Redis', () => {
  const prefix = `test:rl:${randomUUID()}:`;
  let store: RedisRateLimitStore;
  beforeAll(() => {
    store = new RedisRateLimitStore({
      url: 'redis://127.0.0.1:6379',
      timeoutMs: 2_000,
      keyPrefix: prefix,
      fallbackMaxKeys: 10,
      logger: { warn: jest.fn(), log: jest.fn() },
    });
  });
  afterAll(() => store.onModuleDestroy());

  /** Waits for the connection (the store answers from its fallback until then). */
  async function consume(key: string, cost: number, policy = open) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const d = await store.consume(key, policy, cost);
      if (d.shared) return d;
      if (Date.now() > deadline) throw new Error('Redis at 127.0.0.1:6379 never answered');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('refuses a cost above the burst capacity with a full bucket and takes nothing', async () => {
    expect(await consume('over', 3)).toMatchObject({
      allowed: false,
      overCapacity: true,
      violated: 'burst',
      retryAfterMs: 0,
      burstRemaining: 2,
      shared: true,
    });
    // Nothing was taken: the whole capacity is still there, once.
    expect(await consume('over', 2)).toMatchObject({ allowed: true, burstRemaining: 0 });
    expect(await consume('over', 1)).toMatchObject({ allowed: false, overCapacity: false });
  });

  it('names the sustained bucket or daily quota below the cost, like the memory store', async () => {
    const wide = compilePolicy({ burst: 100, sustained: 20, dailyQuota: 50 }, 1, 60, 'open');
    expect(await consume('sustained', 21, wide)).toMatchObject({
      allowed: false,
      overCapacity: true,
      violated: 'sustained',
      retryAfterMs: 0,
    });
    const daily = compilePolicy({ burst: 100, sustained: 0, dailyQuota: 50 }, 1, 60, 'open');
    expect(await consume('daily', 51, daily)).toMatchObject({
      allowed: false,
      overCapacity: true,
      violated: 'daily',
      dailyRemaining: 50,
    });
    expect(await consume('daily', 50, daily)).toMatchObject({ allowed: true, dailyRemaining: 0 });
  });
});
