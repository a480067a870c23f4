import { createHash, randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { PersistedQueryStore, type PersistedQueryRedis } from './graphql.persisted-queries';

const sha = (q: string) => createHash('sha256').update(q).digest('hex');
const QUERY = '{ home { ok } }';

/** Waits until the store's Redis client is connected (lookups skip Redis until then). */
async function ready(store: PersistedQueryStore, redis: IORedis): Promise<void> {
  const deadline = Date.now() + 15_000;
  const probe = `{ probe${randomUUID().replace(/-/g, '')} }`;
  await store.save(sha(probe), probe);
  while ((await redis.get(store.keyOf(sha(probe)))) === null) {
    if (Date.now() > deadline) throw new Error('Redis at 127.0.0.1:6379 never answered');
    await new Promise((r) => setTimeout(r, 50));
    await store.save(sha(probe), probe);
  }
}

describe('PersistedQueryStore without Redis', () => {
  it('keeps at most maxEntries queries, least recently used evicted first', async () => {
    const store = new PersistedQueryStore({ maxEntries: 2, ttlSeconds: 60 });
    expect(store.shared).toBe(false);
    const [a, b, c] = ['{ a }', '{ b }', '{ c }'];
    await store.save(sha(a), a);
    await store.save(sha(b), b);
    expect(await store.get(sha(a))).toBe(a);
    await store.save(sha(c), c);
    expect(await store.get(sha(b))).toBeUndefined();
    expect(await store.get(sha(a))).toBe(a);
    expect(await store.get(sha(c))).toBe(c);
  });

  it('serves APQ to mercurius: hash of version 1 only, mismatch detectable', () => {
    const provider = new PersistedQueryStore({ maxEntries: 2, ttlSeconds: 60 }).provider();
    const ext = (version: number) => ({
      extensions: { persistedQuery: { version, sha256Hash: sha(QUERY) } },
    });
    expect(provider.isPersistedQuery(ext(1))).toBe(true);
    expect(provider.isPersistedQueryRetry({ query: QUERY, ...ext(1) })).toBe(true);
    expect(provider.getHash(ext(1))).toBe(sha(QUERY));
    expect(provider.getHash(ext(2))).toBe(false);
    expect(provider.getHashForQuery(QUERY)).toBe(sha(QUERY));
  });
});

describe('PersistedQueryStore on a real Redis (random prefix)', () => {
  const keyPrefix = `test:apq:${randomUUID()}:`;
  const redis = new IORedis('redis://127.0.0.1:6379', { lazyConnect: false });
  const open: PersistedQueryStore[] = [];
  const make = (maxEntries = 10) => {
    const store = new PersistedQueryStore({
      maxEntries,
      ttlSeconds: 120,
      redisUrl: 'redis://127.0.0.1:6379',
      commandTimeoutMs: 2_000,
      keyPrefix,
    });
    open.push(store);
    return store;
  };

  afterAll(async () => {
    for (const store of open) store.onModuleDestroy();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  });

  it('a query registered on one instance is served by another, with a TTL and a hash-tagged key', async () => {
    const a = make();
    const b = make();
    await ready(a, redis);
    await ready(b, redis);
    const query = `{ product(id: "${randomUUID()}") { id } }`;
    expect(await b.get(sha(query))).toBeUndefined();
    await a.save(sha(query), query);
    expect(a.keyOf(sha(query))).toBe(`${keyPrefix}{${sha(query)}}`);
    expect(await b.get(sha(query))).toBe(query);
    const ttl = await redis.ttl(a.keyOf(sha(query)));
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it('refuses a stored text that does not match its hash, and never asks Redis for a non-hash', async () => {
    const store = make();
    await ready(store, redis);
    const hash = sha('{ original }');
    await redis.set(store.keyOf(hash), '{ poisoned }', 'EX', 60);
    expect(await store.get(hash)).toBeUndefined();
    await redis.set(store.keyOf('not-a-hash'), '{ x }', 'EX', 60);
    expect(await store.get('not-a-hash')).toBeUndefined();
  });
});

describe('PersistedQueryStore with a failing Redis', () => {
  it('answers "not found" (clients send the text again) and skips Redis for the back-off', async () => {
    let now = 0;
    const client = {
      status: 'ready',
      get: jest.fn(() => Promise.reject(new Error('Command timed out'))),
      set: jest.fn(() => Promise.reject(new Error('Command timed out'))),
      disconnect: jest.fn(),
    } as unknown as PersistedQueryRedis;
    const store = new PersistedQueryStore({
      maxEntries: 10,
      ttlSeconds: 60,
      client,
      backoffMs: 1_000,
      now: () => now,
    });
    expect(await store.get(sha(QUERY))).toBeUndefined();
    expect(await store.get(sha(QUERY))).toBeUndefined();
    expect(client.get).toHaveBeenCalledTimes(1);
    // Saved locally all the same.
    await store.save(sha(QUERY), QUERY);
    expect(await store.get(sha(QUERY))).toBe(QUERY);
    now += 1_000;
    expect(await store.get(sha('{ other }'))).toBeUndefined();
    expect(client.get).toHaveBeenCalledTimes(2);
  });
});
