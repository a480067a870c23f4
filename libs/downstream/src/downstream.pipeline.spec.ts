import {
  BadUpstreamResponseError,
  DeadlineExceededError,
  DownstreamClientError,
  DownstreamUnavailableError,
  RequestContextStore,
  createRequestContext,
} from '@app/core';
import { buildPipeline, downstreamStack } from './downstream.pipeline';
import type { DownstreamMiddleware } from './downstream.types';
import { toTransportError } from './transports/transport-errors';
import { callFor, fakeTransport, respond, testService } from './downstream.test-doubles';

const service = testService;

describe('downstream pipeline', () => {
  it('assembles a service stack in this order (a reordering shows here)', () => {
    const policy: DownstreamMiddleware = (next) => next;
    const { transport } = fakeTransport();
    const stack = downstreamStack(transport, {
      marginMs: 0,
      layers: { cache: policy, retry: policy, circuitBreaker: policy, bulkhead: policy },
      observer: { start: () => () => undefined },
    });
    expect(stack.layers).toEqual([
      'deadline',
      'user-context',
      'cache',
      'retry',
      'circuit-breaker',
      'bulkhead',
      'observe',
      'context-headers',
      'status',
      'transport',
    ]);
    // Empty slots (no cache, resilience off, no observer) are skipped, the order kept.
    expect(downstreamStack(transport, { marginMs: 0 }).layers).toEqual([
      'deadline',
      'user-context',
      'context-headers',
      'status',
      'transport',
    ]);
  });

  it('sends request id, child traceparent and the remaining budget', async () => {
    const { transport, calls } = fakeTransport();
    const pipeline = buildPipeline(service, transport, { marginMs: 10 });
    const ctx = createRequestContext(
      {
        'x-request-id': 'abc',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
      500,
    );
    await RequestContextStore.run(ctx, () => pipeline(callFor()));
    expect(calls[0].headers['x-request-id']).toBe('abc');
    expect(calls[0].headers.traceparent).toMatch(
      /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/,
    );
    const budget = Number(calls[0].headers['x-request-timeout-ms']);
    expect(budget).toBeGreaterThan(450);
    expect(budget).toBeLessThanOrEqual(490);
  });

  it('caps the budget with the service timeout outside a request', async () => {
    const { transport, calls } = fakeTransport();
    await buildPipeline(service, transport, { marginMs: 10 })(callFor());
    expect(calls[0].headers['x-request-timeout-ms']).toBe('2000');
    expect(calls[0].headers['x-request-id']).toBeUndefined();
  });

  it('fails fast without calling the transport when the budget is spent', async () => {
    const { transport, calls } = fakeTransport();
    const pipeline = buildPipeline(service, transport, { marginMs: 10 });
    const ctx = createRequestContext({}, 5);
    await expect(RequestContextStore.run(ctx, () => pipeline(callFor()))).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    expect(calls).toHaveLength(0);
  });

  it.each([
    [404, DownstreamClientError, 404],
    [409, DownstreamClientError, 409],
    [400, DownstreamClientError, 400],
    [500, BadUpstreamResponseError, 502],
    [502, BadUpstreamResponseError, 502],
    [401, BadUpstreamResponseError, 502],
    [503, DownstreamUnavailableError, 503],
    [504, DeadlineExceededError, 504],
  ])('maps a downstream %i to %p (HTTP %i)', async (status, type, httpStatus) => {
    const { transport } = fakeTransport(status);
    const promise = buildPipeline(service, transport, { marginMs: 0 })(callFor());
    await expect(promise).rejects.toBeInstanceOf(type);
    await expect(promise).rejects.toMatchObject({ status: httpStatus, service: 'catalog' });
  });

  it('passes Retry-After of a 503 on', async () => {
    const { transport } = fakeTransport(respond(503, { 'retry-after': '7' }));
    await expect(
      buildPipeline(service, transport, { marginMs: 0 })(callFor()),
    ).rejects.toMatchObject({
      retryAfterSeconds: 7,
    });
  });

  it('runs policies between the deadline and the status check', async () => {
    const seen: string[] = [];
    const policy: DownstreamMiddleware = (next) => async (call) => {
      seen.push(`policy saw budget=${call.headers['x-request-timeout-ms'] !== undefined}`);
      try {
        return await next(call);
      } catch (error) {
        seen.push(`policy saw ${(error as Error).constructor.name}`);
        throw error;
      }
    };
    const { transport } = fakeTransport(500);
    await expect(
      buildPipeline(service, transport, { marginMs: 0, layers: { retry: policy } })(callFor()),
    ).rejects.toThrow();
    expect(seen).toEqual(['policy saw budget=true', 'policy saw BadUpstreamResponseError']);
  });
});

describe('toTransportError', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });

  it('maps refused connections to 503, resets to 502 and transport timeouts to 504', () => {
    expect(toTransportError(withCode('ECONNREFUSED'), callFor())).toBeInstanceOf(
      DownstreamUnavailableError,
    );
    expect(
      toTransportError(new Error('x', { cause: withCode('ENOTFOUND') }), callFor()),
    ).toBeInstanceOf(DownstreamUnavailableError);
    expect(toTransportError(withCode('UND_ERR_SOCKET'), callFor())).toBeInstanceOf(
      BadUpstreamResponseError,
    );
    expect(toTransportError(withCode('ECONNRESET'), callFor())).toBeInstanceOf(
      BadUpstreamResponseError,
    );
    expect(toTransportError(withCode('UND_ERR_HEADERS_TIMEOUT'), callFor())).toBeInstanceOf(
      DeadlineExceededError,
    );
  });

  it('reports an aborted budget as a deadline and a caller abort as its own reason', () => {
    const timedOut = callFor();
    timedOut.signal = AbortSignal.abort(new DOMException('t', 'TimeoutError'));
    expect(toTransportError(new Error('aborted'), timedOut)).toBeInstanceOf(DeadlineExceededError);

    const reason = new Error('sibling failed');
    const caller = new AbortController();
    caller.abort(reason);
    const cancelled = { ...callFor(), callerSignal: caller.signal, signal: caller.signal };
    expect(toTransportError(new Error('aborted'), cancelled)).toBe(reason);
  });
});
