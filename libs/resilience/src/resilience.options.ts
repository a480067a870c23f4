import type { ResilienceConfig } from '@app/config';

/** Options of {@link ResilienceModule}. Without any, policies come from `BffConfig.resilience`. */
export interface ResilienceModuleOptions {
  /** Replaces `BffConfig.resilience` (settings built in code, tests). */
  config?: ResilienceConfig;
  /** Source of backoff jitter, 0 <= x < 1 (tests pin it). Defaults to `Math.random`. */
  random?: () => number;
}

export const RESILIENCE_OPTIONS = Symbol('ResilienceModuleOptions');
