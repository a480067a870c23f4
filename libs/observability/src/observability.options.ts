import type { BffAppName } from '@app/config';
import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { DestinationStream } from 'pino';

/** Options of {@link ObservabilityModule}. Everything else comes from `config.observability`. */
export interface ObservabilityModuleOptions {
  /** The app, as the `app` log field and metric label and the default `service.name` of spans. */
  app: BffAppName;
  /**
   * Downstreams whose `/health` gates readiness; wins over `HEALTH_CRITICAL_SERVICES` and the
   * app default (catalog for web and mobile, users and orders for admin).
   */
  criticalServices?: readonly string[];
  /** Where JSON log lines go; default stdout through an asynchronous buffered writer. Tests capture here. */
  logDestination?: DestinationStream;
  /**
   * Extra span processors (tests pass an in-memory exporter). Any processor, or an OTLP endpoint in
   * the config, turns tracing on; with neither there is no tracing SDK at all.
   */
  spanProcessors?: SpanProcessor[];
}

export const OBSERVABILITY_OPTIONS = Symbol('ObservabilityModuleOptions');

export const {
  ConfigurableModuleClass: ConfigurableObservabilityModule,
  ASYNC_OPTIONS_TYPE: OBSERVABILITY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ObservabilityModuleOptions>({
  optionsInjectionToken: OBSERVABILITY_OPTIONS,
})
  .setClassMethodName('forRoot')
  .build();

/** Options of `ObservabilityModule.forRootAsync` (imports, inject, useFactory...). */
export type ObservabilityModuleAsyncOptions = typeof OBSERVABILITY_ASYNC_OPTIONS_TYPE;

/** Readiness gate of each app when neither the options nor the environment name one. */
export const DEFAULT_CRITICAL_SERVICES: Readonly<Record<BffAppName, readonly string[]>> = {
  'web-bff': ['catalog'],
  'mobile-bff': ['catalog'],
  'admin-bff': ['users', 'orders'],
};
