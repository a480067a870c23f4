import type { RequestContext } from '@app/core';
import type { DownstreamCall } from '@app/downstream';
import {
  ROOT_CONTEXT,
  type Span,
  type SpanAttributes,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';

export interface RequestTracerOptions {
  serviceName: string;
  /** OTLP/HTTP traces URL; undefined = no exporter of ours. */
  otlpTracesUrl: string | undefined;
  sampleRatio: number;
  extraProcessors: readonly SpanProcessor[];
}

/**
 * OpenTelemetry spans of a BFF app: one server span per request, one client span per downstream
 * call, exported in batches. The provider is private to the app (not registered globally), so
 * several apps in one process keep their own exporters, and no context manager is needed: the
 * request's span travels in the request context.
 */
export class RequestTracer {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;

  constructor(options: RequestTracerOptions) {
    const processors = [...options.extraProcessors];
    if (options.otlpTracesUrl !== undefined) {
      processors.push(
        new BatchSpanProcessor(new OTLPTraceExporter({ url: options.otlpTracesUrl })),
      );
    }
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
      // An inbound decision wins, so a trace is kept or dropped as a whole.
      sampler: new ParentBasedSampler({
        root: new TraceIdRatioBasedSampler(options.sampleRatio),
      }),
      spanProcessors: processors,
    });
    this.tracer = this.provider.getTracer('@app/observability');
  }

  /**
   * Starts the request's server span, child of a valid inbound `traceparent`, and returns the
   * context carrying the span's ids (downstream calls become its children).
   */
  startRequest(
    ctx: RequestContext,
    traceparent: string | string[] | undefined,
    method: string,
    route: string,
    path: string,
  ): { ctx: RequestContext; span: Span } {
    const remote = typeof traceparent === 'string' ? parseTraceParent(traceparent) : null;
    const parent =
      remote !== null && trace.isSpanContextValid(remote)
        ? trace.setSpanContext(ROOT_CONTEXT, { ...remote, isRemote: true })
        : ROOT_CONTEXT;
    const span = this.tracer.startSpan(
      `${method} ${route}`,
      {
        kind: SpanKind.SERVER,
        // `startedAt` is a performance.now() value, which OpenTelemetry accepts as such.
        startTime: ctx.startedAt,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_HTTP_ROUTE]: route,
          [ATTR_URL_PATH]: path,
        },
      },
      parent,
    );
    const ids = span.spanContext();
    return {
      ctx: {
        ...ctx,
        traceId: ids.traceId,
        spanId: ids.spanId,
        traceFlags: ids.traceFlags.toString(16).padStart(2, '0'),
      },
      span,
    };
  }

  endRequest(span: Span, status: number): void {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  /** A client span for one downstream call, child of the request's span. */
  startDownstream(parent: Span, call: DownstreamCall): Span {
    return this.tracer.startSpan(
      `${call.method} ${call.service.name}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: call.method,
          'peer.service': call.service.name,
          [ATTR_URL_PATH]: pathOf(call.path),
        },
      },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
  }

  /** An internal span (a GraphQL operation, a loader batch), child of `parent`. */
  startInner(parent: Span, name: string, attributes: SpanAttributes): Span {
    return this.tracer.startSpan(
      name,
      { kind: SpanKind.INTERNAL, attributes },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
  }

  /** Ends an internal span; `errorType` (a code, never a message with internals) marks it failed. */
  endInner(span: Span, errorType: string | undefined): void {
    if (errorType !== undefined) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
      span.setAttribute('error.type', errorType);
    }
    span.end();
  }

  endDownstream(span: Span, status: number | undefined, outcome: string): void {
    if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (outcome !== 'success') {
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      span.setAttribute('error.type', outcome);
    }
    span.end();
  }

  /** Exports what is still buffered and stops. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

function pathOf(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}
