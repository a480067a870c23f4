import { createRequestContext } from '@app/core';
import type { DownstreamCall } from '@app/downstream';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { RequestTracer } from './request.tracer';

const INBOUND = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function tracer(sampleRatio = 1): { tracer: RequestTracer; spans: InMemorySpanExporter } {
  const spans = new InMemorySpanExporter();
  return {
    spans,
    tracer: new RequestTracer({
      serviceName: 'web-bff',
      otlpTracesUrl: undefined,
      sampleRatio,
      extraProcessors: [new SimpleSpanProcessor(spans)],
    }),
  };
}

const call = {
  service: { name: 'catalog', urls: [], timeoutMs: 1, transport: 'undici', connections: 1 },
  method: 'GET',
  path: '/products/prd_0001?fields=all',
  headers: {},
  body: undefined,
  signal: new AbortController().signal,
  callerSignal: undefined,
} as DownstreamCall;

describe('RequestTracer', () => {
  it('continues an inbound trace and puts the server span ids in the request context', () => {
    const { tracer: t, spans } = tracer();
    const ctx = createRequestContext({ 'x-request-id': 'r1', traceparent: INBOUND }, 1000);
    const started = t.startRequest(ctx, INBOUND, 'GET', '/products/:id', '/products/prd_0001');
    expect(started.ctx).toMatchObject({
      requestId: 'r1',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: started.span.spanContext().spanId,
      traceFlags: '01',
    });
    const child = t.startDownstream(started.span, call);
    t.endDownstream(child, 404, 'client_error');
    t.endRequest(started.span, 200);
    const [client, server] = spans.getFinishedSpans();
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(server.attributes).toMatchObject({ 'http.route': '/products/:id' });
    expect(client).toMatchObject({ kind: SpanKind.CLIENT, name: 'GET catalog' });
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(client.attributes).toMatchObject({
      'url.path': '/products/prd_0001',
      'http.response.status_code': 404,
      'error.type': 'client_error',
    });
  });

  it('nests internal spans under the request, a failed one marked with its error type', () => {
    const { tracer: t, spans } = tracer();
    const started = t.startRequest(createRequestContext({}, 1000), undefined, 'POST', '/g', '/g');
    const operation = t.startInner(started.span, 'query Page', { 'graphql.operation.cost': 6 });
    const batch = t.startInner(operation, 'graphql.batch product', { 'graphql.batch.keys': 2 });
    t.endInner(batch, 'UPSTREAM_5XX');
    t.endInner(operation, undefined);
    t.endRequest(started.span, 200);
    const [b, o, server] = spans.getFinishedSpans();
    expect(o).toMatchObject({ kind: SpanKind.INTERNAL, name: 'query Page', status: { code: 0 } });
    expect(o.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(o.attributes).toEqual({ 'graphql.operation.cost': 6 });
    expect(b.parentSpanContext?.spanId).toBe(o.spanContext().spanId);
    expect(b.status).toEqual({ code: 2, message: 'UPSTREAM_5XX' });
    expect(b.attributes).toEqual({ 'graphql.batch.keys': 2, 'error.type': 'UPSTREAM_5XX' });
  });

  it('starts a new trace when the inbound traceparent is missing or invalid', () => {
    const { tracer: t } = tracer();
    const ctx = createRequestContext({ traceparent: 'garbage' }, 1000);
    const started = t.startRequest(ctx, 'garbage', 'GET', 'unmatched', '/x');
    expect(started.ctx.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(started.ctx.traceId).not.toBe('0'.repeat(32));
    expect(started.ctx.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps ids but records nothing for unsampled traces', () => {
    const { tracer: t, spans } = tracer(0);
    const started = t.startRequest(createRequestContext({}, 1000), undefined, 'GET', '/a', '/a');
    expect(started.ctx.traceFlags).toBe('00');
    t.endRequest(started.span, 200);
    expect(spans.getFinishedSpans()).toHaveLength(0);
  });
});
