import { ConfigurableModuleBuilder, DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { getOptionsToken, getStorageToken, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { BffConfig } from '@app/config';
import { BFF_APP_SETUP, type BffAppSetup } from '@app/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AddressGate } from './address-gate.hook';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { RedisRateLimitStore } from './redis-rate-limit.store';
import { RateLimitStore } from './rate-limit.store';
import { TieredThrottlerGuard } from './tiered-throttler.guard';
import {
  THROTTLING_MODULE_OPTIONS,
  THROTTLING_OPTIONS,
  type ResolvedThrottlingOptions,
  type ThrottlingModuleOptions,
} from './throttling.options';

function resolve(options: ThrottlingModuleOptions, config: BffConfig): ResolvedThrottlingOptions {
  return {
    namespace: options.namespace ?? 'bff',
    config: options.config ?? config.rateLimit,
    redisUrl: config.redisUrl,
    store: options.store,
  };
}

/** The configured store: Redis when selected (shared, exact), memory otherwise (per instance). */
export function createRateLimitStore(options: ResolvedThrottlingOptions): RateLimitStore {
  if (options.store !== undefined) return options.store;
  const { config } = options;
  if (config.store === 'redis' && options.redisUrl !== undefined) {
    return new RedisRateLimitStore({
      url: options.redisUrl,
      timeoutMs: config.redisTimeoutMs,
      keyPrefix: config.keyPrefix,
      fallbackMaxKeys: config.memoryMaxKeys,
    });
  }
  return new MemoryRateLimitStore({ maxKeys: config.memoryMaxKeys });
}

// One throttler named `default`: its limit and ttl are not used by the tiered guard, which reads
// the tier limits, but the stock guard needs one entry to call handleRequest.
const THROTTLER_OPTIONS: ThrottlerModuleOptions = {
  throttlers: [{ name: 'default', limit: 1, ttl: 1_000 }],
  setHeaders: false,
};

const PROVIDERS: Provider[] = [
  {
    provide: THROTTLING_OPTIONS,
    useFactory: (options: ThrottlingModuleOptions, config: BffConfig) => resolve(options, config),
    inject: [THROTTLING_MODULE_OPTIONS, BffConfig],
  },
  { provide: RateLimitStore, useFactory: createRateLimitStore, inject: [THROTTLING_OPTIONS] },
  { provide: getStorageToken(), useExisting: RateLimitStore },
  { provide: getOptionsToken(), useValue: THROTTLER_OPTIONS },
  TieredThrottlerGuard,
  {
    provide: AddressGate,
    useFactory: (store: RateLimitStore, options: ResolvedThrottlingOptions) =>
      new AddressGate(store, options),
    inject: [RateLimitStore, THROTTLING_OPTIONS],
  },
  {
    // The limit before authentication: Fastify hooks, which run before every Nest guard.
    provide: BFF_APP_SETUP,
    useFactory: (gate: AddressGate): BffAppSetup => ({
      setup: (app: NestFastifyApplication) => gate.install(app.getHttpAdapter().getInstance()),
    }),
    inject: [AddressGate],
  },
];

export const {
  ConfigurableModuleClass: ConfigurableThrottlingModule,
  OPTIONS_TYPE: THROTTLING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: THROTTLING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ThrottlingModuleOptions>({
  optionsInjectionToken: THROTTLING_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  // `global`: registers the guard for every route (APP_GUARD). Default true.
  .setExtras({ global: true }, (definition, extras) => ({
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      ...(extras.global === false
        ? []
        : [{ provide: APP_GUARD, useExisting: TieredThrottlerGuard }]),
    ],
  }))
  .build();

/** Options of `ThrottlingModule.forRoot`, with `global`. */
export type ThrottlingModuleRootOptions = typeof THROTTLING_OPTIONS_TYPE;
/** Options of `ThrottlingModule.forRootAsync` (imports, inject, useFactory... and `global`). */
export type ThrottlingModuleAsyncOptions = typeof THROTTLING_ASYNC_OPTIONS_TYPE;

const EXPORTS = [
  RateLimitStore,
  AddressGate,
  getStorageToken(),
  getOptionsToken(),
  TieredThrottlerGuard,
  THROTTLING_OPTIONS,
];

/**
 * Tiered rate limiting for a BFF, in memory or shared through Redis, in two steps:
 * 1. before authentication, the {@link AddressGate} (Fastify hooks) refuses client addresses whose
 *    refused requests (bad or missing credentials...) used up the anonymous tier's limits;
 * 2. after authentication, a global guard built on @nestjs/throttler takes the request's tokens
 *    from the verified caller's tier buckets (burst + sustained) and daily quota.
 * Requires `ConfigModule` (for `BffConfig`) and an app built by `createBffApp` (for the hooks).
 */
@Module({ providers: PROVIDERS, exports: EXPORTS })
export class ThrottlingModule extends ConfigurableThrottlingModule {
  static override forRoot(options: ThrottlingModuleRootOptions = {}): DynamicModule {
    return super.forRoot(options);
  }
}
