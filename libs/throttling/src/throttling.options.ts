import type { RateLimitConfig } from '@app/config';
import type { RateLimitStore } from './rate-limit.store';

/** Options of {@link ThrottlingModule}. Everything else comes from the `rateLimit` config section. */
export interface ThrottlingModuleOptions {
  /**
   * Names this app's buckets (e.g. `web`), so BFFs sharing one Redis keep separate budgets.
   * Default `bff`.
   */
  namespace?: string;
  /** Replaces the `rateLimit` section of `BffConfig` (embedding, tests). */
  config?: RateLimitConfig;
  /** A ready store; by default Redis when `RATE_LIMIT_STORE=redis`, memory otherwise. */
  store?: RateLimitStore;
}

/** Options with the config section resolved; what the guard and the store factory get. */
export interface ResolvedThrottlingOptions {
  readonly namespace: string;
  readonly config: RateLimitConfig;
  readonly redisUrl: string | undefined;
  readonly store?: RateLimitStore;
}

export const THROTTLING_OPTIONS = Symbol('THROTTLING_OPTIONS');

/** The options as given, before {@link resolve}: what `forRoot`/`forRootAsync` provide. */
export const THROTTLING_MODULE_OPTIONS = Symbol('ThrottlingModuleOptions');
