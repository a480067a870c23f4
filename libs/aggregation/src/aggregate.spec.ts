import {
  DeadlineExceededError,
  DownstreamUnavailableError,
  RequestContextStore,
  createRequestContext,
} from '@app/core';
import {
  aggregate,
  fallbackChain,
  optional,
  required,
  responseMeta,
  staticFallback,
} from './aggregate';

const after =
  <T>(ms: number, value: T): ((signal: AbortSignal) => Promise<T>) =>
  (signal) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => resolve(value), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(signal.reason);
      });
    });
const failAfter = (ms: number, error: Error) => () =>
  new Promise<never>((_, reject) => setTimeout(() => reject(error), ms));

describe('aggregate', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs parts in parallel and returns every value', async () => {
    const promise = aggregate({
      a: required(after(100, 1)),
      b: required(after(200, 'two')),
      c: optional(after(300, true)),
    });
    await jest.advanceTimersByTimeAsync(300);
    await expect(promise).resolves.toEqual({ data: { a: 1, b: 'two', c: true }, partial: [] });
  });

  it('omits a failed optional part, or uses its fallback, and lists it as partial', async () => {
    const promise = aggregate({
      a: required(after(10, 1)),
      b: optional(failAfter(5, new Error('x'))),
      c: optional(failAfter(5, new Error('y')), () => 'default'),
    });
    await jest.advanceTimersByTimeAsync(10);
    await expect(promise).resolves.toEqual({ data: { a: 1, c: 'default' }, partial: ['b', 'c'] });
  });

  it('fails with the typed error of a required part and aborts the others', async () => {
    const aborted: unknown[] = [];
    const slow = (signal: AbortSignal) => {
      signal.addEventListener('abort', () => aborted.push(signal.reason));
      return new Promise<number>(() => undefined);
    };
    const error = new DownstreamUnavailableError('down', 'catalog');
    const promise = aggregate({ a: required(failAfter(5, error)), b: optional(slow) });
    const assertion = expect(promise).rejects.toBe(error);
    await jest.advanceTimersByTimeAsync(5);
    await assertion;
    expect(aborted).toEqual([error]);
  });

  it('records partial parts in the request context and stops at the deadline', async () => {
    const ctx = createRequestContext({}, 50, performance.now());
    await RequestContextStore.run(ctx, async () => {
      const promise = aggregate({
        a: required(after(10, 'ok')),
        slow: optional(() => new Promise(() => undefined)),
      });
      await jest.advanceTimersByTimeAsync(50);
      await expect(promise).resolves.toEqual({ data: { a: 'ok' }, partial: ['slow'] });
      expect(responseMeta()).toEqual({ partial: ['slow'] });
    });
  });

  it('fails with DeadlineExceededError when a required part misses the deadline', async () => {
    const ctx = createRequestContext({}, 50, performance.now());
    await RequestContextStore.run(ctx, async () => {
      const promise = aggregate({ a: required(() => new Promise(() => undefined)) });
      const assertion = expect(promise).rejects.toBeInstanceOf(DeadlineExceededError);
      await jest.advanceTimersByTimeAsync(50);
      await assertion;
    });
  });

  it('uses an async fallback (a stale copy), given the error, or omits the part on undefined', async () => {
    const error = new DownstreamUnavailableError('down', 'reviews');
    const seen: unknown[] = [];
    const promise = aggregate({
      a: required(after(10, 1)),
      stale: optional(failAfter(5, error), (e) => {
        seen.push(e);
        return new Promise<string>((resolve) => setTimeout(() => resolve('cached'), 20));
      }),
      none: optional(failAfter(5, error), async () => undefined),
      broken: optional(failAfter(5, error), () => Promise.reject(new Error('cache down'))),
    });
    await jest.advanceTimersByTimeAsync(25);
    await expect(promise).resolves.toEqual({
      data: { a: 1, stale: 'cached' },
      partial: ['stale', 'none', 'broken'],
    });
    expect(seen).toEqual([error]);
  });

  it('chains fallbacks: the first value that is not undefined wins', async () => {
    const result = await aggregate({
      a: optional(
        () => Promise.reject(new Error('x')),
        fallbackChain<number[]>(async () => undefined, staticFallback([])),
      ),
      b: optional(
        () => Promise.reject(new Error('y')),
        fallbackChain(async () => [7], staticFallback([0])),
      ),
    });
    expect(result).toEqual({ data: { a: [], b: [7] }, partial: ['a', 'b'] });
  });

  it('does not wait past the deadline for an async fallback', async () => {
    const ctx = createRequestContext({}, 50, performance.now());
    await RequestContextStore.run(ctx, async () => {
      const promise = aggregate({
        a: required(after(10, 'ok')),
        slowCache: optional(
          failAfter(40, new Error('x')),
          () => new Promise<string>(() => undefined),
        ),
        hung: optional(
          () => new Promise<string>(() => undefined),
          () => 'default',
        ),
      });
      await jest.advanceTimersByTimeAsync(50);
      await expect(promise).resolves.toEqual({
        data: { a: 'ok', hung: 'default' },
        partial: ['slowCache', 'hung'],
      });
    });
  });

  it('handles a part that throws synchronously', async () => {
    const result = await aggregate({
      a: optional((): Promise<number> => {
        throw new Error('sync');
      }),
    });
    expect(result.partial).toEqual(['a']);
  });
});
