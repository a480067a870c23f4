import { BffConfig } from '@app/config';
import { type RequestContext, RequestContextStore } from '@app/core';
import type { DownstreamCall, DownstreamObserver, RawResponse } from '@app/downstream';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Span, SpanAttributes } from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { downstreamOutcome, downstreamStatus } from './downstream.outcome';
import { redactUrl } from './log.redaction';
import { BffMetrics, UNMATCHED_ROUTE, collectProcessMetricsOnce } from './metrics.registry';
import { OBSERVABILITY_OPTIONS, type ObservabilityModuleOptions } from './observability.options';
import type { RequestTracer } from './request.tracer';
import { createStructuredLogger, stdoutDestination } from './structured.logger';

/** Downstream time of one request, per service: calls and summed milliseconds. */
export type DownstreamTimings = Record<string, { count: number; ms: number }>;

/** What is tracked per request beyond the request context; only created when needed. */
interface RequestState {
  span?: Span;
  downstream?: DownstreamTimings;
}

/** Probes and scrapes: measured, but not worth a log line each. */
const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

type Done = (err?: Error) => void;

/**
 * Everything measured about requests and downstream calls of one app: the request log line,
 * Prometheus metrics, OpenTelemetry spans. Installed as Fastify hooks by {@link ObservabilitySetup}
 * and as the downstream pipeline's observer.
 */
@Injectable()
export class Telemetry implements DownstreamObserver, OnModuleInit, OnApplicationShutdown {
  readonly logger: Logger;
  /** Set when we write to stdout ourselves (no destination in the options): flushed on shutdown. */
  private readonly stdout: ReturnType<typeof stdoutDestination> | undefined;
  readonly metrics: BffMetrics | undefined;
  /** Set at module init when tracing is configured (before the app listens). */
  tracer: RequestTracer | undefined;
  private readonly tracing: (() => Promise<RequestTracer>) | undefined;
  private readonly states = new WeakMap<RequestContext, RequestState>();
  private readonly aborted = new WeakSet<FastifyRequest>();
  /** The inner span (a loader batch...) whose work is running: its downstream calls are its children. */
  private readonly active = new AsyncLocalStorage<Span>();
  /** Request lines of 2xx-4xx (info) and 5xx (warn) answers are written; fixed at start-up. */
  private readonly logOk: boolean;
  private readonly logFailed: boolean;
  private readonly logHeaders: boolean;

  constructor(
    @Inject(BffConfig) config: BffConfig,
    @Inject(OBSERVABILITY_OPTIONS) options: ObservabilityModuleOptions,
  ) {
    const ops = config.observability;
    this.stdout = options.logDestination === undefined ? stdoutDestination() : undefined;
    this.logger = createStructuredLogger({
      app: options.app,
      level: config.logLevel,
      destination: options.logDestination ?? this.stdout,
    });
    this.logOk = ops.logRequests && this.logger.isLevelEnabled('info');
    this.logFailed = ops.logRequests && this.logger.isLevelEnabled('warn');
    this.logHeaders = ops.logRequestHeaders;
    if (ops.metricsEnabled) {
      collectProcessMetricsOnce();
      this.metrics = new BffMetrics(options.app);
    }
    const processors = options.spanProcessors ?? [];
    if (ops.otlpTracesUrl !== undefined || processors.length > 0) {
      // The OpenTelemetry SDK and exporter (about 25 MB of RSS) are only loaded when tracing is on.
      this.tracing = async () =>
        new (await import('./request.tracer')).RequestTracer({
          serviceName: ops.serviceName ?? options.app,
          otlpTracesUrl: ops.otlpTracesUrl,
          sampleRatio: ops.sampleRatio,
          extraProcessors: processors,
        });
    }
  }

  async onModuleInit(): Promise<void> {
    if (this.tracing !== undefined) this.tracer = await this.tracing();
  }

  /** Hooks on the app's Fastify instance; they run after core's hook has built `bffContext`. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: Done) => {
      this.metrics?.requestStarted();
      if (this.tracer !== undefined) {
        const { ctx, span } = this.tracer.startRequest(
          request.bffContext,
          request.headers.traceparent,
          request.method,
          request.routeOptions.url ?? UNMATCHED_ROUTE,
          pathOf(request.url),
        );
        request.bffContext = ctx;
        this.states.set(ctx, { span });
      }
      done();
    });
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: Done) => {
      if (!this.aborted.has(request)) this.finish(request, reply.statusCode);
      done();
    });
    // The client went away before the answer: counted and logged as 499 (nginx's convention).
    fastify.addHook('onRequestAbort', (request: FastifyRequest, done: Done) => {
      this.aborted.add(request);
      this.finish(request, 499);
      done();
    });
  }

  /** Downstream pipeline hook: a child span (its id goes out in `traceparent`), metrics, timings. */
  start(call: DownstreamCall): (error: unknown, response: RawResponse | undefined) => void {
    const startedAt = performance.now();
    const ctx = RequestContextStore.current();
    let state: RequestState | undefined;
    let span: Span | undefined;
    if (ctx !== undefined) {
      state = this.states.get(ctx);
      if (state === undefined) {
        state = {};
        this.states.set(ctx, state);
      }
      if (this.tracer !== undefined && state.span !== undefined) {
        span = this.tracer.startDownstream(this.active.getStore() ?? state.span, call);
        call.spanId = span.spanContext().spanId;
      }
    }
    return (error, response) => {
      const ms = performance.now() - startedAt;
      const outcome = downstreamOutcome(error, call);
      const service = call.service.name;
      this.metrics?.downstreamCall(service, outcome, ms / 1000);
      if (state !== undefined) {
        const timings = (state.downstream ??= {});
        const entry = (timings[service] ??= { count: 0, ms: 0 });
        entry.count++;
        entry.ms += ms;
      }
      if (span !== undefined) {
        this.tracer?.endDownstream(span, response?.status ?? downstreamStatus(error), outcome);
      }
    };
  }

  /**
   * An internal span of the current request: child of `parent`, else of the inner span running,
   * else of the request's span. Undefined when tracing is off or outside a traced request.
   */
  startInner(name: string, attributes: SpanAttributes, parent?: Span): Span | undefined {
    if (this.tracer === undefined) return undefined;
    let on = parent ?? this.active.getStore();
    if (on === undefined) {
      const ctx = RequestContextStore.current();
      on = ctx === undefined ? undefined : this.states.get(ctx)?.span;
    }
    return on === undefined ? undefined : this.tracer.startInner(on, name, attributes);
  }

  endInner(span: Span, errorType: string | undefined): void {
    this.tracer?.endInner(span, errorType);
  }

  /** Runs `work` with `span` as the parent of the spans it starts (downstream calls included). */
  within<T>(span: Span, work: () => T): T {
    return this.active.run(span, work);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tracer?.shutdown();
    // Synchronous: an asynchronous flush could hold the shutdown if stdout is stuck.
    try {
      this.stdout?.flushSync();
    } catch {
      // Nothing buffered, or stdout is gone: nothing more can be written anyway.
    }
  }

  private finish(request: FastifyRequest, status: number): void {
    const ctx = request.bffContext;
    // Requests refused before core's hook ran (none today) have no context to report.
    if (ctx === null || ctx === undefined) return;
    const durationMs = performance.now() - ctx.startedAt;
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    this.metrics?.requestEnded(route, request.method, status, durationMs / 1000);
    const state = this.states.get(ctx);
    if (state?.span !== undefined) this.tracer?.endRequest(state.span, status);
    if (!(status >= 500 ? this.logFailed : this.logOk) || QUIET_ROUTES.has(route)) return;
    const line: Record<string, unknown> = {
      requestId: ctx.requestId,
      traceId: ctx.traceId,
      userId: ctx.principal?.subject,
      method: request.method,
      route,
      url: redactUrl(request.url),
      status,
      durationMs: round1(durationMs),
    };
    // A pass-through route's name, or `graphql <operation name>` on /graphql.
    if (ctx.route !== undefined) line.routeName = ctx.route.name;
    if (state?.downstream !== undefined) line.downstream = roundTimings(state.downstream);
    if (this.logHeaders) line.headers = request.headers;
    if (status >= 500) this.logger.warn(line, 'request completed');
    else this.logger.info(line, 'request completed');
  }
}

function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function roundTimings(timings: DownstreamTimings): DownstreamTimings {
  for (const entry of Object.values(timings)) entry.ms = round1(entry.ms);
  return timings;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
