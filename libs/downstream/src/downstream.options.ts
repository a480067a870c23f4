import type { DownstreamServiceConfig } from '@app/config';
import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PolicyLayers } from './downstream.pipeline';

/** Options of {@link DownstreamModule}. */
export interface DownstreamModuleOptions {
  /**
   * The policy slots of a service's stack (cache, retry, circuit breaker, bulkhead), placed in
   * their order by `downstreamStack`. Called once per service at start-up, so stateful policies
   * are shared by all its calls.
   */
  layers?: (service: DownstreamServiceConfig) => PolicyLayers;
}

export const DOWNSTREAM_OPTIONS = Symbol('DownstreamModuleOptions');

export const {
  ConfigurableModuleClass: ConfigurableDownstreamModule,
  ASYNC_OPTIONS_TYPE: DOWNSTREAM_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DownstreamModuleOptions>({
  optionsInjectionToken: DOWNSTREAM_OPTIONS,
})
  .setClassMethodName('forRoot')
  .build();

/** Options of `DownstreamModule.forRootAsync` (imports, inject, useFactory...). */
export type DownstreamModuleAsyncOptions = typeof DOWNSTREAM_ASYNC_OPTIONS_TYPE;
