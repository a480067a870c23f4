import { BFF_APP_SETUP } from '@app/core';
import { DOWNSTREAM_OBSERVER } from '@app/downstream';
import { Global, Module, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { ObservabilitySetup } from './observability.setup';
import { ConfigurableObservabilityModule } from './observability.options';
import { ReadinessService } from './readiness.service';
import { RequestSpans } from './request.spans';
import { Telemetry } from './telemetry.service';

const PROVIDERS: Provider[] = [
  Telemetry,
  ObservabilitySetup,
  ReadinessService,
  RequestSpans,
  // createBffApp finds it: structured logger and request hooks.
  { provide: BFF_APP_SETUP, useExisting: ObservabilitySetup },
  // DownstreamClient picks it up: spans, metrics and timings of every downstream call.
  { provide: DOWNSTREAM_OBSERVER, useExisting: Telemetry },
];

/**
 * Operations of a BFF: JSON request logs (pino), Prometheus `/metrics`, OpenTelemetry spans,
 * `/health/live` and `/health/ready` (terminus). Import once per app, next to CoreModule and
 * DownstreamModule.
 */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: PROVIDERS,
  exports: [Telemetry, DOWNSTREAM_OBSERVER, ReadinessService, RequestSpans],
})
export class ObservabilityModule extends ConfigurableObservabilityModule {}
