import { loadConfig, type DownstreamServiceConfig } from '@app/config';
import {
  BadUpstreamResponseError,
  DeadlineExceededError,
  DownstreamClientError,
  DownstreamUnavailableError,
  RequestContextStore,
  createRequestContext,
} from '@app/core';
import {
  buildPipeline,
  type DownstreamCall,
  type DownstreamTransport,
  type HttpMethod,
  type RawResponse,
} from '@app/downstream';
import { Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { register } from 'prom-client';
import { BulkheadFullError, CircuitOpenError } from './resilience.errors';
import { ServicePolicies } from './resilience.policies';

const service: DownstreamServiceConfig = {
  name: 'catalog',
  urls: ['http://catalog'],
  timeoutMs: 60_000,
  transport: 'undici',
  connections: 1,
};

/** Settings of the catalog service from env, the way the apps get them. */
const settingsFrom = (env: Record<string, string>) =>
  loadConfig({ RESILIENCE_RETRY_MAX_ATTEMPTS: '1', ...env }).resilience.services.catalog;

const silent = new Logger('test');
jest.spyOn(silent, 'log').mockImplementation(() => undefined);
jest.spyOn(silent, 'warn').mockImplementation(() => undefined);

type Answer = number | Error | (() => Promise<RawResponse>);

/** A transport answering from a script (status, thrown error, or a pending promise). */
function scripted(...answers: Answer[]) {
  const calls: DownstreamCall[] = [];
  let i = 0;
  const transport: DownstreamTransport = {
    kind: 'fake',
    send: async (call) => {
      calls.push({ ...call, headers: { ...call.headers } });
      const answer = answers[Math.min(i++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      if (typeof answer === 'function') return answer();
      return { status: answer, headers: {}, body: Buffer.from('{}') };
    },
    close: async () => undefined,
  };
  return { transport, calls };
}

function setup(env: Record<string, string>, ...answers: Answer[]) {
  const policies = new ServicePolicies('catalog', settingsFrom(env), {
    random: () => 0.5,
    logger: silent,
  });
  const { transport, calls } = scripted(...answers);
  const pipeline = buildPipeline(service, transport, {
    marginMs: 0,
    policies: [(next) => (call) => policies.execute(call, next)],
  });
  const send = (
    method: HttpMethod = 'GET',
    headers: Record<string, string> = {},
    body: DownstreamCall['body'] = undefined,
  ) =>
    pipeline({
      service,
      method,
      path: '/products/1',
      headers: { ...headers },
      body,
      signal: new AbortController().signal,
      callerSignal: undefined,
    });
  return { policies, calls, send };
}

/** Settles a promise into its value or error, for assertions that need both. */
const settle = <T>(p: Promise<T>): Promise<T | unknown> => p.catch((e: unknown) => e);

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = register.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  const hit = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return hit?.value ?? 0;
}

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
