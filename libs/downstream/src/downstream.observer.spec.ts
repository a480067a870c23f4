import { DownstreamClientError, RequestContextStore, createRequestContext } from '@app/core';
import { buildPipeline } from './downstream.pipeline';
import type {
  DownstreamMiddleware,
  DownstreamObserver,
  DownstreamTransport,
  RawResponse,
} from './downstream.types';
import { callFor, testService } from './downstream.test-doubles';

const service = testService;

describe('downstream observer', () => {
  it('sees every attempt below the policies and names its span in the traceparent', async () => {
    const statuses = [503, 200];
    const sent: string[] = [];
    const transport: DownstreamTransport = {
      kind: 'fake',
      send: async (call): Promise<RawResponse> => {
        sent.push(call.headers.traceparent);
        return { status: statuses.shift() ?? 200, headers: {}, body: Buffer.from('{}') };
      },
      close: async () => undefined,
    };
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
      policies: [retryOnce],
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
    expect(sent).toEqual([
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00000000000000a1-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00000000000000a2-01',
    ]);
  });

  it('is not called for work the policies answer themselves (cache hit, open circuit)', async () => {
    const observer = { start: jest.fn() };
    const shortCircuit: DownstreamMiddleware = () => () =>
      Promise.reject(new DownstreamClientError(404, 'catalog'));
    const transport: DownstreamTransport = {
      kind: 'fake',
      send: jest.fn(),
      close: async () => undefined,
    };
    await expect(
      buildPipeline(service, transport, { marginMs: 0, policies: [shortCircuit], observer })(
        callFor(),
      ),
    ).rejects.toBeInstanceOf(DownstreamClientError);
    expect(observer.start).not.toHaveBeenCalled();
  });
});
