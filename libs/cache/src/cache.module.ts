import { DynamicModule, Global, Logger, Module, ModuleMetadata, Provider } from '@nestjs/common';
import { CacheModule } from '@nestjs/cache-manager';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { BffConfig, type CacheConfig } from '@app/config';
import { Keyv } from 'keyv';
import type { StoredValue } from './cache.entry';
import { storeErrorCounter } from './cache.metrics';
import { BFF_CACHE_OPTIONS, type BffCacheModuleOptions } from './cache.options';
import { CachePurgeController } from './cache-purge.controller';
import { BFF_CACHE_CONFIG } from './cache.tokens';
import { DownstreamCache } from './downstream-cache.middleware';
import { LruStore } from './lru.store';
import { RedisStore } from './redis.store';
import { ResponseCacheInterceptor } from './response-cache.interceptor';
import { TieredCache } from './tiered.cache';
import { HttpCache } from './http-cache';

export interface BffCacheModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => BffCacheModuleOptions | Promise<BffCacheModuleOptions>;
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  /** Serve `POST /ops/cache/purge` (controllers cannot wait for the factory). Default false. */
  purgeEndpoint?: boolean;
}

/** Level 1 (always) and level 2 (Redis, when configured), as Keyv stores for cache-manager. */
export function createCacheStores(config: CacheConfig): Keyv[] {
  const lru = new LruStore({
    maxEntries: config.memoryMaxEntries,
    maxBytes: config.memoryMaxBytes,
    sizeOf: (v) => {
      const value = v as StoredValue;
      if (value.kind === 'response') return value.body.length + 256;
      // The policy holds the stored response headers: about 1 KiB with them.
      if (value.kind === 'http') return value.body.length + 1024;
      return 128;
    },
    tagsOf: (v) => ((v as StoredValue).kind === 'vary' ? [] : (v as { tags: string[] }).tags),
  });
  const l1 = new Keyv({ store: lru, useKeyPrefix: false });
  // Memory keeps objects as they are: no JSON round trip on the hot path.
  l1.serialize = undefined;
  l1.deserialize = undefined;
  const stores = [l1];
  if (config.enabled && config.redisUrl !== undefined) {
    const errors = storeErrorCounter();
    const logger = new Logger('RedisStore');
    let lastLog = 0;
    const redis = new RedisStore({
      url: config.redisUrl,
      keyPrefix: config.keyPrefix,
      timeoutMs: config.redisTimeoutMs,
      backoffMs: config.redisBackoffMs,
      onError: (error) => {
        errors.inc();
        // One line per 10 s at most while Redis is away.
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          logger.warn(`cache level 2 bypassed: ${(error as Error)?.message ?? String(error)}`);
        }
      },
    });
    const l2 = new Keyv({ store: redis, useKeyPrefix: false });
    l2.on('error', () => undefined);
    stores.push(l2);
  }
  return stores;
}

function providers(): ModuleMetadata['providers'] {
  return [
    {
      provide: BFF_CACHE_CONFIG,
      useFactory: (options: BffCacheModuleOptions, config: BffConfig) =>
        options.config ?? config.cache,
      inject: [BFF_CACHE_OPTIONS, BffConfig],
    },
    TieredCache,
    HttpCache,
    DownstreamCache,
    // Global, and registered by a module imported before ShapingModule: it wraps the shaping
    // interceptor and so caches the final shaped body.
    { provide: APP_INTERCEPTOR, useClass: ResponseCacheInterceptor },
  ];
}

/** Nest's cache-manager module over our stores (`CACHE_MANAGER` for anyone who wants it). */
function nestCache(
  optionsProvider: Provider,
  imports: ModuleMetadata['imports'] = [],
): DynamicModule {
  return CacheModule.registerAsync({
    imports,
    extraProviders: [optionsProvider],
    useFactory: (options: BffCacheModuleOptions, config: BffConfig) => ({
      stores: createCacheStores(options.config ?? config.cache),
    }),
    inject: [BFF_CACHE_OPTIONS, BffConfig],
  });
}

const EXPORTS = [
  TieredCache,
  HttpCache,
  DownstreamCache,
  BFF_CACHE_CONFIG,
  BFF_CACHE_OPTIONS,
  CacheModule,
];

/**
 * The shared response cache of a BFF: `TieredCache` (memory LRU + Redis), `HttpCache` (RFC 9111
 * lookup/store/revalidate/serve, used by the pass-through proxy too), the global
 * `ResponseCacheInterceptor` (`@CacheResponse`), `DownstreamCache` (the `cache` slot of
 * each downstream stack) and, for the admin BFF, `POST /ops/cache/purge`.
 *
 * Import it before `ShapingModule`. Needs the global `ConfigModule`.
 */
@Global()
@Module({})
export class BffCacheModule {
  static forRoot(options: BffCacheModuleOptions): DynamicModule {
    const optionsProvider: Provider = { provide: BFF_CACHE_OPTIONS, useValue: options };
    return {
      module: BffCacheModule,
      imports: [nestCache(optionsProvider)],
      providers: [optionsProvider, ...(providers() ?? [])],
      controllers: options.purgeEndpoint === true ? [CachePurgeController] : [],
      exports: EXPORTS,
    };
  }

  static forRootAsync(options: BffCacheModuleAsyncOptions): DynamicModule {
    const optionsProvider: Provider = {
      provide: BFF_CACHE_OPTIONS,
      useFactory: options.useFactory,
      inject: options.inject ?? [],
    };
    return {
      module: BffCacheModule,
      imports: [...(options.imports ?? []), nestCache(optionsProvider, options.imports)],
      providers: [optionsProvider, ...(providers() ?? [])],
      controllers: options.purgeEndpoint === true ? [CachePurgeController] : [],
      exports: EXPORTS,
    };
  }
}
