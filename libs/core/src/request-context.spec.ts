import { childTraceparent, createRequestContext, newSpanId } from './request-context';

describe('request context', () => {
  it('keeps a valid inbound request id and traceparent, with a new span for the BFF', () => {
    const ctx = createRequestContext(
      {
        'x-request-id': 'abc-123',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
      },
      1000,
      50,
    );
    expect(ctx).toMatchObject({
      requestId: 'abc-123',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      traceFlags: '00',
    });
    expect(ctx.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(ctx.spanId).not.toBe('00f067aa0ba902b7');
    expect(ctx.deadlineAt).toBe(1050);
    expect(childTraceparent(ctx)).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
  });

  it.each([
    ['a request id with spaces', { 'x-request-id': 'a b' }],
    ['an all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` }],
    [
      'an all-zero parent id',
      { traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01` },
    ],
    ['a malformed traceparent', { traceparent: '00-xyz-01' }],
  ])('replaces %s with generated values', (_label, headers) => {
    const ctx = createRequestContext(headers, 1000);
    expect(ctx.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ctx.traceId).not.toBe('0'.repeat(32));
    expect(ctx.traceFlags).toBe('01');
  });

  it('never repeats generated ids, across refills of the random pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(newSpanId());
    expect(seen.size).toBe(5000);
    const traces = new Set(Array.from({ length: 1000 }, () => createRequestContext({}, 1).traceId));
    expect(traces.size).toBe(1000);
  });
});
