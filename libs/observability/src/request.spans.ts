import { Injectable } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import { Telemetry } from './telemetry.service';

/** Attribute values of an inner span. */
export type InnerSpanAttributes = Record<string, string | number | boolean>;

/** A span another lib opened inside a request (a GraphQL operation, a loader batch). */
export interface InnerSpan {
  setAttribute(key: string, value: string | number | boolean): void;
  /** Runs `work` with this span as the parent of what it starts: downstream calls, inner spans. */
  run<T>(work: () => T): T;
  /** Ends the span, once; `errorType` (a code, not a message) marks it failed. */
  end(errorType?: string): void;
}

class TracedSpan implements InnerSpan {
  private ended = false;

  constructor(
    private readonly telemetry: Telemetry,
    readonly span: Span,
  ) {}

  setAttribute(key: string, value: string | number | boolean): void {
    this.span.setAttribute(key, value);
  }

  run<T>(work: () => T): T {
    return this.telemetry.within(this.span, work);
  }

  end(errorType?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.telemetry.endInner(this.span, errorType);
  }
}

/**
 * Spans of units of work inside a request that the request and downstream spans do not show (a
 * GraphQL operation, a batch of its loader). They join the request's trace; with tracing off
 * (`enabled` false) nothing is created and callers skip the bookkeeping.
 */
@Injectable()
export class RequestSpans {
  constructor(private readonly telemetry: Telemetry) {}

  /** Whether spans are recorded at all (fixed once the app has started). */
  get enabled(): boolean {
    return this.telemetry.tracer !== undefined;
  }

  /**
   * Starts a span named `name`: child of `parent`, else of the inner span running, else of the
   * current request's span. Undefined when tracing is off or outside a traced request.
   */
  start(name: string, attributes: InnerSpanAttributes, parent?: InnerSpan): InnerSpan | undefined {
    const span = this.telemetry.startInner(
      name,
      attributes,
      parent instanceof TracedSpan ? parent.span : undefined,
    );
    return span === undefined ? undefined : new TracedSpan(this.telemetry, span);
  }
}
