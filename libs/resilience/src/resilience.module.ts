import { DynamicModule, Global, Module, type ModuleMetadata } from '@nestjs/common';
import { RESILIENCE_OPTIONS, type ResilienceModuleOptions } from './resilience.options';
import { ResilienceRegistry } from './resilience.registry';

export interface ResilienceModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => ResilienceModuleOptions | Promise<ResilienceModuleOptions>;
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
}

/**
 * Provides {@link ResilienceRegistry}: retry, circuit breaker and bulkhead per downstream service.
 * Global, so the ops endpoint and the downstream module share the one registry.
 */
@Global()
@Module({})
export class ResilienceModule {
  static forRoot(options: ResilienceModuleOptions = {}): DynamicModule {
    return {
      module: ResilienceModule,
      providers: [{ provide: RESILIENCE_OPTIONS, useValue: options }, ResilienceRegistry],
      exports: [ResilienceRegistry],
    };
  }

  static forRootAsync(options: ResilienceModuleAsyncOptions): DynamicModule {
    return {
      module: ResilienceModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: RESILIENCE_OPTIONS,
          useFactory: options.useFactory,
          inject: options.inject ?? [],
        },
        ResilienceRegistry,
      ],
      exports: [ResilienceRegistry],
    };
  }
}
