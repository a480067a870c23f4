import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigurableResilienceModule, type ResilienceModuleOptions } from './resilience.options';
import { ResilienceRegistry } from './resilience.registry';

/**
 * Provides {@link ResilienceRegistry}: retry, circuit breaker and bulkhead per downstream service.
 * Global, so the ops endpoint and the downstream module share the one registry.
 */
@Global()
@Module({ providers: [ResilienceRegistry], exports: [ResilienceRegistry] })
export class ResilienceModule extends ConfigurableResilienceModule {
  static override forRoot(options: ResilienceModuleOptions = {}): DynamicModule {
    return super.forRoot(options);
  }
}
