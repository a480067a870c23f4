export { ObservabilityModule } from './observability.module';
export { OBSERVABILITY_OPTIONS, DEFAULT_CRITICAL_SERVICES } from './observability.options';
export type {
  ObservabilityModuleOptions,
  ObservabilityModuleAsyncOptions,
} from './observability.options';
export { Telemetry } from './telemetry.service';
export type { DownstreamTimings } from './telemetry.service';
export { ReadinessService } from './readiness.service';
export type { ReadinessReport } from './readiness.service';
export {
  BffMetrics,
  getOrCreateCounter,
  getOrCreateGauge,
  getOrCreateHistogram,
  LATENCY_BUCKETS,
  UNMATCHED_ROUTE,
} from './metrics.registry';
export type { DownstreamOutcome } from './metrics.registry';
export { redactUrl, REDACT_PATHS, SECRET_HEADERS } from './log.redaction';
export { createStructuredLogger, nestLoggerFor } from './structured.logger';
export { MetricsUnavailableError } from './observability.errors';
