import { BFF_APP_SETUP } from '@app/core';
import { DOWNSTREAM_OBSERVER } from '@app/downstream';
import { DynamicModule, Global, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { ObservabilitySetup } from './observability.setup';
import { OBSERVABILITY_OPTIONS, type ObservabilityModuleOptions } from './observability.options';
import { ReadinessService } from './readiness.service';
import { Telemetry } from './telemetry.service';

export interface ObservabilityModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (
    ...args: never[]
  ) => ObservabilityModuleOptions | Promise<ObservabilityModuleOptions>;
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
}

const PROVIDERS: Provider[] = [
  Telemetry,
  ObservabilitySetup,
  ReadinessService,
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
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityModuleOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: OBSERVABILITY_OPTIONS, useValue: options }, ...PROVIDERS],
      exports: [Telemetry, DOWNSTREAM_OBSERVER, ReadinessService],
    };
  }

  static forRootAsync(options: ObservabilityModuleAsyncOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [...(options.imports ?? []), TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        {
          provide: OBSERVABILITY_OPTIONS,
          useFactory: options.useFactory,
          inject: options.inject ?? [],
        },
        ...PROVIDERS,
      ],
      exports: [Telemetry, DOWNSTREAM_OBSERVER, ReadinessService],
    };
  }
}
