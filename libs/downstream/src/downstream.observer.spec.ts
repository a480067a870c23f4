import { DownstreamClientError, RequestContextStore, createRequestContext } from '@app/core';
import { buildPipeline } from './downstream.pipeline';
import type { DownstreamMiddleware, DownstreamObserver } from './downstream.types';
import { callFor, fakeTransport, testService } from './downstream.test-doubles';

const service = testService;

describe('downstream observer', () => {
  it('sees every attempt below the policies and names its span in the traceparent', async () => {
    const { transport, calls } = fakeTransport(503, 200);
    const events: string[] = [];
    let span = 0;
    const observer: DownstreamObserver = {
      start(call) {
        call.spanId = `00000000000000a${++span}`;
        events.push(`start ${call.spanId}`);
        return (error, response) =>
          events.push(`end ${response?.status ?? (error as Error).constructor.name}`);
      },
    };
    // A one-retry policy, like the resilience lib's.
    const retryOnce: DownstreamMiddleware = (next) => async (call) => {
      try {
        return await next(call);
      } catch {
        return next(call);
      }
    };
    const pipeline = buildPipeline(service, transport, {
      marginMs: 0,
      layers: { retry: retryOnce },
      observer,
    });
    const ctx = createRequestContext(
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      1000,
    );
    await RequestContextStore.run(ctx, () => pipeline(callFor()));
    expect(events).toEqual([
      'start 00000000000000a1',
      'end DownstreamUnavailableError',
      'start 00000000000000a2',
      'end 200',
    ]);
    expect(calls.map((c) => c.headers.traceparent)).toEqual([
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00000000000000a1-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00000000000000a2-01',
    ]);
  });

  it('is not called for work the policies answer themselves (cache hit, open circuit)', async () => {
    const observer = { start: jest.fn() };
    const shortCircuit: DownstreamMiddleware = () => () =>
      Promise.reject(new DownstreamClientError(404, 'catalog'));
    const { transport, calls } = fakeTransport();
    await expect(
      buildPipeline(service, transport, {
        marginMs: 0,
        layers: { circuitBreaker: shortCircuit },
        observer,
      })(callFor()),
    ).rejects.toBeInstanceOf(DownstreamClientError);
    expect(observer.start).not.toHaveBeenCalled();
    expect(calls).toHaveLength(0);
  });
});
