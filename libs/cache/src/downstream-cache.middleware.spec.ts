import type { Cache } from '@nestjs/cache-manager';
import type { CacheConfig, DownstreamServiceConfig } from '@app/config';
import {
  DownstreamClientError,
  DownstreamUnavailableError,
  RequestContextStore,
  createRequestContext,
} from '@app/core';
import type { DownstreamCall, RawResponse } from '@app/downstream';
import { createCacheStores } from './cache.module';
import { DOWNSTREAM_CACHE_HEADER, DownstreamCache } from './downstream-cache.middleware';
import { isMarkedStale } from './request-marks';
import { TieredCache } from './tiered.cache';

const config: CacheConfig = {
  enabled: true,
  memoryMaxEntries: 100,
  memoryMaxBytes: 1_000_000,
  maxEntryBytes: 100_000,
  redisUrl: undefined,
  keyPrefix: 'test:',
  redisTimeoutMs: 50,
  redisBackoffMs: 1000,
  downstream: true,
  downstreamDefaultTtlSeconds: 0,
  downstreamDefaultStaleIfErrorSeconds: 0,
};

const service: DownstreamServiceConfig = {
  name: 'catalog',
  urls: ['http://catalog'],
  timeoutMs: 1000,
  transport: 'undici',
  connections: 1,
};

const call = (path = '/products/1', headers: Record<string, string> = {}): DownstreamCall => ({
  service,
  method: 'GET',
  path,
  headers: { accept: 'application/json', ...headers },
  body: undefined,
  signal: new AbortController().signal,
  callerSignal: undefined,
});

const json = (body: unknown, cacheControl?: string): RawResponse => ({
  status: 200,
  headers: {
    'content-type': 'application/json',
    ...(cacheControl === undefined ? {} : { 'cache-control': cacheControl }),
  },
  body: Buffer.from(JSON.stringify(body)),
});

function setup(overrides: Partial<CacheConfig> = {}) {
  const c = { ...config, ...overrides };
  const tiered = new TieredCache({ stores: createCacheStores(c) } as unknown as Cache, c);
  const cache = new DownstreamCache(tiered);
  let answer: (n: number) => Promise<RawResponse> = async () => json({ v: 1 }, 'max-age=60');
  let calls = 0;
  const proxy = cache.middleware(service)(async () => answer(++calls));
  return {
    proxy,
    tiered,
    calls: () => calls,
    answer: (fn: (n: number) => Promise<RawResponse>) => {
      answer = fn;
    },
  };
}

const body = (res: RawResponse) => JSON.parse(res.body.toString()) as { v: number };

describe('DownstreamCache middleware', () => {
  it('serves a fresh response from the cache, whatever the query order', async () => {
    const s = setup();
    await s.proxy(call('/products?b=2&a=1'));
    const hit = await s.proxy(call('/products?a=1&b=2'));
    expect(s.calls()).toBe(1);
    expect(hit.headers[DOWNSTREAM_CACHE_HEADER]).toBe('HIT');
    expect(body(hit)).toEqual({ v: 1 });
  });

  it.each(['no-store', 'private, max-age=60', undefined])(
    'does not store a response with Cache-Control %p',
    async (cc) => {
      const s = setup();
      s.answer(async () => json({ v: 1 }, cc));
      await s.proxy(call());
      await s.proxy(call());
      expect(s.calls()).toBe(2);
    },
  );

  it('does not share what was fetched with credentials unless the response is public', async () => {
    const s = setup();
    await s.proxy(call('/me', { authorization: 'Bearer a' }));
    await s.proxy(call('/me', { authorization: 'Bearer b' }));
    expect(s.calls()).toBe(2);
  });

  it('collapses 100 concurrent misses into one call', async () => {
    const s = setup();
    s.answer(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return json({ v: 7 }, 'max-age=60');
    });
    const all = await Promise.all(Array.from({ length: 100 }, () => s.proxy(call())));
    expect(s.calls()).toBe(1);
    expect(all.every((r) => body(r).v === 7)).toBe(true);
  });

  it('serves stale within stale-if-error when the call fails, and marks the request', async () => {
    const s = setup();
    s.answer(async () => json({ v: 1 }, 'max-age=0, stale-if-error=60'));
    await s.proxy(call());
    s.answer(async () => {
      throw new DownstreamUnavailableError('down', 'catalog');
    });
    const ctx = createRequestContext({}, 1000);
    const res = await RequestContextStore.run(ctx, () => s.proxy(call()));
    expect(res.headers[DOWNSTREAM_CACHE_HEADER]).toBe('STALE');
    expect(body(res)).toEqual({ v: 1 });
    expect(isMarkedStale(ctx)).toBe(true);
  });

  it('never replaces a client error (404) by stale data', async () => {
    const s = setup();
    s.answer(async () => json({ v: 1 }, 'max-age=0, stale-if-error=60'));
    await s.proxy(call());
    s.answer(async () => {
      throw new DownstreamClientError(404, 'catalog');
    });
    await expect(s.proxy(call())).rejects.toBeInstanceOf(DownstreamClientError);
  });

  it('serves stale while revalidating once in the background', async () => {
    const s = setup();
    s.answer(async (n) => json({ v: n }, 'max-age=0, stale-while-revalidate=60'));
    await s.proxy(call());
    const [a, b] = await Promise.all([s.proxy(call()), s.proxy(call())]);
    expect(body(a).v).toBe(1);
    expect(body(b).v).toBe(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(s.calls()).toBe(2);
    expect(body(await s.proxy(call())).v).toBe(2);
  });

  it('is a pass-through when disabled', async () => {
    const s = setup({ downstream: false });
    await s.proxy(call());
    await s.proxy(call());
    expect(s.calls()).toBe(2);
  });

  it('gives the stale copy to an aggregation fallback', async () => {
    const s = setup();
    s.answer(async () => json({ v: 3 }, 'max-age=0, stale-while-revalidate=60'));
    await s.proxy(call('/reviews?x=1'));
    const ctx = createRequestContext({}, 1000);
    const value = await RequestContextStore.run(
      ctx,
      () =>
        s.tiered &&
        new DownstreamCache(s.tiered).staleFallback<{ v: number }>(
          'catalog',
          '/reviews?x=1',
        )(new Error()),
    );
    expect(value).toEqual({ v: 3 });
    expect(isMarkedStale(ctx)).toBe(true);
    expect(
      await new DownstreamCache(s.tiered).staleFallback('catalog', '/none')(new Error()),
    ).toBeUndefined();
  });
});
