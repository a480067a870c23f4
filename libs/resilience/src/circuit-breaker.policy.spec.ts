import {
  BadUpstreamResponseError,
  DownstreamClientError,
  DownstreamUnavailableError,
} from '@app/core';
import type { DownstreamCall, RawResponse } from '@app/downstream';
import { CircuitOpenError } from './resilience.errors';
import { metricValue, service, settle, setup } from './resilience.test-doubles';

describe('circuit breaker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const breaker = {
    RESILIENCE_BREAKER_MIN_CALLS: '5',
    RESILIENCE_BREAKER_FAILURE_RATIO: '0.5',
    RESILIENCE_BREAKER_WINDOW_MS: '10000',
    RESILIENCE_BREAKER_HALF_OPEN_AFTER_MS: '3000',
    RESILIENCE_BREAKER_HALF_OPEN_PROBES: '2',
  };

  it('opens after the minimum number of calls, then fails fast with Retry-After', async () => {
    const { policies, calls, send } = setup(breaker, 500);
    for (let i = 0; i < 4; i++)
      await expect(send()).rejects.toBeInstanceOf(BadUpstreamResponseError);
    expect(policies.snapshot().state).toBe('closed');
    await expect(send()).rejects.toBeInstanceOf(BadUpstreamResponseError);
    expect(policies.snapshot().state).toBe('open');
    expect(calls).toHaveLength(5);

    jest.advanceTimersByTime(1_200);
    const refused = await settle(send());
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused).toMatchObject({ status: 503, code: 'CIRCUIT_OPEN', retryAfterSeconds: 2 });
    expect(calls).toHaveLength(5);
    expect(policies.snapshot()).toMatchObject({
      state: 'open',
      retryAfterSeconds: 2,
      counters: { calls: 6, failures: 5, shortCircuited: 1 },
    });
    expect(await metricValue('bff_circuit_state', { service: 'catalog' })).toBe(1);
  });

  it('opens on the failure ratio, not on failures alone', async () => {
    // One call in three fails: 33 % stays under a 0.5 ratio however many failures add up.
    const answers = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 500 : 200));
    const { policies, send } = setup(breaker, ...answers);
    for (let i = 0; i < 30; i++) await settle(send());
    expect(policies.snapshot().state).toBe('closed');
  });

  it('forgets failures that left the window', async () => {
    const { policies, send } = setup(breaker, 500);
    for (let i = 0; i < 4; i++) await settle(send());
    jest.advanceTimersByTime(11_000);
    await settle(send());
    expect(policies.snapshot().state).toBe('closed');
  });

  it('never counts 4xx answers or the caller cancelling', async () => {
    const aborted = new AbortController();
    const reason = new DownstreamUnavailableError('sibling failed', 'users');
    aborted.abort(reason);
    const { policies, calls, send } = setup(breaker, 404);
    for (let i = 0; i < 10; i++) await expect(send()).rejects.toBeInstanceOf(DownstreamClientError);
    const cancelled = setup(breaker, reason);
    for (let i = 0; i < 10; i++) {
      const call: DownstreamCall = {
        service,
        method: 'GET',
        path: '/x',
        headers: {},
        body: undefined,
        signal: aborted.signal,
        callerSignal: aborted.signal,
      };
      await settle(cancelled.policies.execute(call, async () => Promise.reject(reason)));
    }
    expect(policies.snapshot().state).toBe('closed');
    expect(cancelled.policies.snapshot()).toMatchObject({
      state: 'closed',
      counters: { failures: 0 },
    });
    expect(calls).toHaveLength(10);
  });

  it('lets exactly the configured probes through when half-open, then closes', async () => {
    let release: (res: RawResponse) => void = () => undefined;
    const pending = () =>
      new Promise<RawResponse>((resolve) => {
        release = resolve;
      });
    const { policies, calls, send } = setup(
      breaker,
      500,
      500,
      500,
      500,
      500,
      pending,
      pending,
      200,
    );
    for (let i = 0; i < 5; i++) await settle(send());
    expect(policies.snapshot().state).toBe('open');
    jest.advanceTimersByTime(3_000);

    const releases: ((res: RawResponse) => void)[] = [];
    const probe1 = send();
    await jest.advanceTimersByTimeAsync(0);
    releases.push(release);
    const probe2 = send();
    await jest.advanceTimersByTimeAsync(0);
    releases.push(release);
    const third = await settle(send());
    expect(third).toMatchObject({ code: 'CIRCUIT_OPEN', retryAfterSeconds: 1 });
    expect(policies.snapshot().state).toBe('half_open');
    expect(calls).toHaveLength(7);

    for (const r of releases) r({ status: 200, headers: {}, body: Buffer.from('{}') });
    await expect(probe1).resolves.toMatchObject({ status: 200 });
    await expect(probe2).resolves.toMatchObject({ status: 200 });
    expect(policies.snapshot().state).toBe('closed');
    await expect(send()).resolves.toMatchObject({ status: 200 });
    expect(calls).toHaveLength(8);
    expect(
      await metricValue('bff_circuit_transitions_total', { service: 'catalog', to: 'closed' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('opens again when a probe fails', async () => {
    const { policies, calls, send } = setup(breaker, 503);
    for (let i = 0; i < 5; i++) await settle(send());
    jest.advanceTimersByTime(3_000);
    await expect(send()).rejects.toBeInstanceOf(DownstreamUnavailableError);
    expect(policies.snapshot()).toMatchObject({ state: 'open', retryAfterSeconds: 3 });
    await expect(send()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toHaveLength(6);
  });
});
