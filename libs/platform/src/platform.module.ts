import { AuthModule } from '@app/auth';
import { BffCacheModule, DownstreamCache } from '@app/cache';
import { DownstreamClientsModule } from '@app/clients';
import { ConfigModule } from '@app/config';
import { CoreModule } from '@app/core';
import { DownstreamModule } from '@app/downstream';
import { EventsModule } from '@app/events';
import { ObservabilityModule } from '@app/observability';
import { ResilienceModule, ResilienceRegistry } from '@app/resilience';
import { RoutingModule } from '@app/routing';
import { SessionModule } from '@app/session';
import { ShapingModule } from '@app/shaping';
import { ThrottlingModule } from '@app/throttling';
import { DynamicModule, Module, type Type } from '@nestjs/common';
import type { BffPlatformOptions } from './platform.options';

/**
 * Everything a BFF shares, in the one order that works: config, request context, observability,
 * auth, sessions, caching, downstream calls, shaping, rate limits and declarative routes, with
 * their global guards and interceptors. An app module imports `BffPlatformModule.forRoot(...)`
 * and adds its own controllers and services.
 */
/**
 * The downstream module with every lib's slots filled (also for fixture apps that import the cache
 * without the whole platform). Each lib fills its slots of a service's stack; downstreamStack
 * (@app/downstream) orders them: cache first, then retry, circuit breaker and bulkhead.
 */
export function platformDownstreamModule(): DynamicModule {
  return DownstreamModule.forRootAsync({
    imports: [ResilienceModule.forRoot()],
    inject: [ResilienceRegistry, DownstreamCache],
    useFactory: (resilience: ResilienceRegistry, cache: DownstreamCache) => ({
      layers: (service) => ({
        cache: cache.middleware(service),
        ...resilience.layersFor(service),
      }),
    }),
  });
}

@Module({})
export class BffPlatformModule {
  static forRoot(options: BffPlatformOptions): DynamicModule {
    const { app, config } = options;
    const imports: (DynamicModule | Type)[] = [
      ConfigModule.forRoot({ config }),
      CoreModule,
      // JSON logs, /metrics, spans, /health/live and /health/ready.
      ObservabilityModule.forRoot({ app }),
      // First global guard: the throttler and the cache key read the verified principal.
      AuthModule.forRoot({ audience: config.auth.audiences[app], ...options.auth }),
      // SPA cookie sessions: puts the session's token in Authorization before the guard runs.
      ...(options.session === undefined || options.session === false
        ? []
        : [SessionModule.forRoot(options.session === true ? {} : { config: options.session })]),
      // Before ShapingModule: its global interceptor must wrap shaping to cache the final body.
      BffCacheModule.forRoot(
        options.cachePurgeEndpoint === true ? { app, purgeEndpoint: true } : { app },
      ),
      platformDownstreamModule(),
      // Typed clients per downstream service (catalog.product(id), ...) on that pipeline.
      DownstreamClientsModule,
      ShapingModule,
      ThrottlingModule.forRoot({ namespace: app.replace(/-bff$/, '') }),
      // Declarative pass-through routes (apps/<app>/routes.json, <APP>_ROUTES_FILE).
      RoutingModule.forRoot({ app, config }),
      // Operational events of every instance (breakers, readiness, traffic); admin: the live feed.
      EventsModule.forRoot({ app, feed: options.feed === true }),
    ];
    // Re-exported, so the app's controllers and services see them as if imported themselves.
    return { module: BffPlatformModule, imports, exports: imports };
  }
}
