export { ObservabilityModule } from './observability.module';
export type {
  ObservabilityModuleOptions,
  ObservabilityModuleAsyncOptions,
} from './observability.options';
export { ReadinessService } from './readiness.service';
// Spans of work inside a request (GraphQL operations, loader batches), in the request's trace.
export { RequestSpans } from './request.spans';
export type { InnerSpan, InnerSpanAttributes } from './request.spans';
// Other libs' metrics on the shared default registry, registered once per process.
export { getOrCreateCounter, getOrCreateGauge, getOrCreateHistogram } from './metrics.registry';
