import {
  DeadlineExceededError,
  DownstreamClientError,
  DownstreamUnavailableError,
  RequestContextStore,
  createRequestContext,
} from '@app/core';
import type { RawResponse } from '@app/downstream';
import { Readable } from 'node:stream';
import { CircuitOpenError } from './resilience.errors';
import { metricValue, settle, setup } from './resilience.test-doubles';

describe('retries', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const retries = {
    RESILIENCE_RETRY_MAX_ATTEMPTS: '3',
    RESILIENCE_RETRY_BASE_DELAY_MS: '100',
    RESILIENCE_RETRY_MAX_DELAY_MS: '1000',
    RESILIENCE_RETRY_MIN_ATTEMPT_MS: '50',
  };

  it('retries an idempotent call on 503 up to the limit, with jittered exponential backoff', async () => {
    const { policies, calls, send } = setup(retries, 503);
    const result = settle(send('GET'));
    await jest.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    // random() is pinned at 0.5: 50 ms (cap 100), then 100 ms (cap 200).
    await jest.advanceTimersByTimeAsync(49);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(await result).toBeInstanceOf(DownstreamUnavailableError);
    expect(calls).toHaveLength(3);
    expect(policies.snapshot().counters.retries).toBe(2);
    expect(
      await metricValue('bff_downstream_retries_total', { service: 'catalog' }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('returns the first success', async () => {
    const { calls, send } = setup(retries, 502, 200);
    const result = send('GET');
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(result).resolves.toMatchObject({ status: 200 });
    expect(calls).toHaveLength(2);
  });

  it.each(['POST', 'PATCH'] as const)('never retries a %s', async (method) => {
    const { calls, send } = setup(retries, 503);
    const result = settle(send(method));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(await result).toBeInstanceOf(DownstreamUnavailableError);
    expect(calls).toHaveLength(1);
  });

  it.each(['PUT', 'DELETE', 'HEAD', 'OPTIONS'] as const)('retries a %s', async (method) => {
    const { calls, send } = setup(retries, 503);
    const result = settle(send(method));
    await jest.advanceTimersByTimeAsync(5_000);
    await result;
    expect(calls).toHaveLength(3);
  });

  it('retries a POST that carries an Idempotency-Key', async () => {
    const { calls, send } = setup(retries, 503, 201);
    const result = send('POST', { 'Idempotency-Key': 'k-1' });
    await jest.advanceTimersByTimeAsync(5_000);
    await expect(result).resolves.toMatchObject({ status: 201 });
    expect(calls).toHaveLength(2);
  });

  it('never retries a streamed body, even with an Idempotency-Key: the stream is consumed', async () => {
    const { calls, send } = setup(retries, 503, 200);
    const result = settle(send('PUT', { 'Idempotency-Key': 'k-2' }, Readable.from(['{}'])));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(await result).toBeInstanceOf(DownstreamUnavailableError);
    expect(calls).toHaveLength(1);
  });

  it('does not retry 4xx answers', async () => {
    const { calls, send } = setup(retries, 404, 200);
    await expect(send()).rejects.toBeInstanceOf(DownstreamClientError);
    expect(calls).toHaveLength(1);
  });

  it('honours Retry-After and sends the budget left on each attempt', async () => {
    const unavailable = async (): Promise<RawResponse> => ({
      status: 503,
      headers: { 'retry-after': '2' },
      body: Buffer.from('{}'),
    });
    const { calls, send } = setup(retries, unavailable, 200);
    const ctx = createRequestContext({}, 5_000, performance.now());
    const result = RequestContextStore.run(ctx, () => send());
    await jest.advanceTimersByTimeAsync(1_999);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ status: 200 });
    expect(calls).toHaveLength(2);
    expect(Number(calls[0].headers['x-request-timeout-ms'])).toBe(5_000);
    expect(Number(calls[1].headers['x-request-timeout-ms'])).toBe(3_000);
  });

  it('gives up when Retry-After or the backoff does not fit the remaining budget', async () => {
    const unavailable = async (): Promise<RawResponse> => ({
      status: 503,
      headers: { 'retry-after': '2' },
      body: Buffer.from('{}'),
    });
    const late = setup(retries, unavailable, 200);
    const ctx = createRequestContext({}, 1_500, performance.now());
    await expect(RequestContextStore.run(ctx, () => late.send())).rejects.toBeInstanceOf(
      DownstreamUnavailableError,
    );
    expect(late.calls).toHaveLength(1);

    // 50 ms backoff + 50 ms minimum attempt do not fit in 90 ms.
    const tight = setup(retries, 503, 200);
    const short = createRequestContext({}, 90, performance.now());
    await expect(RequestContextStore.run(short, () => tight.send())).rejects.toBeInstanceOf(
      DownstreamUnavailableError,
    );
    expect(tight.calls).toHaveLength(1);
  });

  it('stops retrying when the retry budget is spent', async () => {
    const { policies, calls, send } = setup(
      {
        ...retries,
        RESILIENCE_RETRY_BUDGET_RATIO: '0.2',
        RESILIENCE_RETRY_BUDGET_MIN_PER_SECOND: '0',
        RESILIENCE_RETRY_MAX_ATTEMPTS: '2',
      },
      503,
    );
    for (let i = 0; i < 10; i++) {
      const result = settle(send());
      await jest.advanceTimersByTimeAsync(1_000);
      await result;
    }
    // 10 calls, 20 %: 2 retries.
    expect(calls).toHaveLength(12);
    expect(policies.snapshot().counters).toMatchObject({ retries: 2, retryBudgetExhausted: 8 });
  });

  it('does not retry through an open circuit', async () => {
    const { calls, send } = setup(
      { ...retries, RESILIENCE_BREAKER_MIN_CALLS: '1', RESILIENCE_BREAKER_FAILURE_RATIO: '0.5' },
      503,
    );
    const result = settle(send());
    await jest.advanceTimersByTimeAsync(5_000);
    expect(await result).toBeInstanceOf(CircuitOpenError);
    expect(calls).toHaveLength(1);
  });

  it('does not retry a deadline that ran out', async () => {
    // The attempt used the whole budget: nothing is left for another one.
    const timedOut = () =>
      new Promise<RawResponse>((_, reject) =>
        setTimeout(() => reject(new DeadlineExceededError('slow', 'catalog')), 100),
      );
    const { calls, send } = setup(retries, timedOut);
    const ctx = createRequestContext({}, 100, performance.now());
    const result = settle(RequestContextStore.run(ctx, () => send()));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(await result).toBeInstanceOf(DeadlineExceededError);
    expect(calls).toHaveLength(1);
  });
});
