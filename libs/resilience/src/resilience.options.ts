import type { ResilienceConfig } from '@app/config';
import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of {@link ResilienceModule}. Without any, policies come from `BffConfig.resilience`. */
export interface ResilienceModuleOptions {
  /** Replaces `BffConfig.resilience` (settings built in code, tests). */
  config?: ResilienceConfig;
  /** Source of backoff jitter, 0 <= x < 1 (tests pin it). Defaults to `Math.random`. */
  random?: () => number;
}

export const RESILIENCE_OPTIONS = Symbol('ResilienceModuleOptions');

export const {
  ConfigurableModuleClass: ConfigurableResilienceModule,
  ASYNC_OPTIONS_TYPE: RESILIENCE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ResilienceModuleOptions>({
  optionsInjectionToken: RESILIENCE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .build();

/** Options of `ResilienceModule.forRootAsync` (imports, inject, useFactory...). */
export type ResilienceModuleAsyncOptions = typeof RESILIENCE_ASYNC_OPTIONS_TYPE;
