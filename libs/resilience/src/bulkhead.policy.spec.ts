import { DeadlineExceededError, RequestContextStore, createRequestContext } from '@app/core';
import type { RawResponse } from '@app/downstream';
import { BulkheadFullError } from './resilience.errors';
import { settle, setup } from './resilience.test-doubles';

describe('bulkhead', () => {
  it('runs at most maxConcurrent calls, queues a few, then fails fast with 503', async () => {
    const releases: (() => void)[] = [];
    const pending = () =>
      new Promise<RawResponse>((resolve) => {
        releases.push(() => resolve({ status: 200, headers: {}, body: Buffer.from('{}') }));
      });
    const { policies, calls, send } = setup(
      { RESILIENCE_BULKHEAD_MAX_CONCURRENT: '2', RESILIENCE_BULKHEAD_QUEUE: '1' },
      pending,
    );
    const first = [send(), send(), send()];
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(2);
    expect(policies.snapshot().bulkhead).toMatchObject({ active: 2, queued: 1 });
    const rejected = await settle(send());
    expect(rejected).toBeInstanceOf(BulkheadFullError);
    expect(rejected).toMatchObject({ status: 503, retryAfterSeconds: 1 });
    releases.shift()?.();
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(3);
    while (releases.length > 0) releases.shift()?.();
    await Promise.all(first);
    expect(policies.snapshot().counters.bulkheadRejections).toBe(1);
    expect(policies.snapshot().state).toBe('closed');
  });

  it('drops a queued call when its deadline passes', async () => {
    const releases: (() => void)[] = [];
    const pending = () =>
      new Promise<RawResponse>((resolve) => {
        releases.push(() => resolve({ status: 200, headers: {}, body: Buffer.from('{}') }));
      });
    const { calls, send } = setup(
      { RESILIENCE_BULKHEAD_MAX_CONCURRENT: '1', RESILIENCE_BULKHEAD_QUEUE: '1' },
      pending,
    );
    const busy = send();
    const ctx = createRequestContext({}, 30, performance.now());
    const started = performance.now();
    const queued = await settle(RequestContextStore.run(ctx, () => send()));
    expect(queued).toBeInstanceOf(DeadlineExceededError);
    expect(performance.now() - started).toBeLessThan(500);
    releases.shift()?.();
    await busy;
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1);
  });
});
