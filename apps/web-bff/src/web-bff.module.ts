import { DynamicModule, Module } from '@nestjs/common';
import { BffConfig, ConfigModule } from '@app/config';
import { AuthModule } from '@app/auth';
import { CoreModule } from '@app/core';
import { ObservabilityModule } from '@app/observability';
import { BffCacheModule, DownstreamCache } from '@app/cache';
import { DownstreamClientsModule } from '@app/clients';
import { DownstreamModule } from '@app/downstream';
import { ResilienceModule, ResilienceRegistry } from '@app/resilience';
import { RoutingModule } from '@app/routing';
import { ShapingModule } from '@app/shaping';
import { SessionModule } from '@app/session';
import { ThrottlingModule } from '@app/throttling';
import { LogoutEverywhereController } from './auth/logout-everywhere.controller';
import { HomeController } from './home/home.controller';
import { HomeService } from './home/home.service';
import { OrderDetailsController } from './order/order-details.controller';
import { OrderDetailsService } from './order/order-details.service';
import { ProductPageController } from './product/product-page.controller';
import { ProductPageService } from './product/product-page.service';

/** The web SPA's BFF: rich pages aggregated from several services. */
@Module({})
export class WebBffModule {
  static forRoot(config: BffConfig): DynamicModule {
    return {
      module: WebBffModule,
      imports: [
        ConfigModule.forRoot({ config }),
        CoreModule,
        // JSON logs, /metrics, spans, /health/live and /health/ready.
        ObservabilityModule.forRoot({ app: 'web-bff' }),
        // First global guard: the throttler and the cache key read the verified principal.
        AuthModule.forRoot({ audience: config.auth.audiences['web-bff'] }),
        // SPA cookie sessions: puts the session's token in Authorization before the guard runs.
        SessionModule.forRoot(),
        // Before ShapingModule: its global interceptor must wrap shaping to cache the final body.
        BffCacheModule.forRoot({ app: 'web-bff' }),
        DownstreamModule.forRootAsync({
          imports: [ResilienceModule.forRoot()],
          inject: [ResilienceRegistry, DownstreamCache],
          useFactory: (resilience: ResilienceRegistry, cache: DownstreamCache) => ({
            // Cache first (outermost): a hit skips retries, breaker and bulkhead, and
            // stale-if-error can answer the errors they raise (breaker open included).
            policies: (service) => [cache.middleware(service), ...resilience.policiesFor(service)],
          }),
        }),
        DownstreamClientsModule,
        ShapingModule,
        ThrottlingModule.forRoot({ namespace: 'web' }),
        // Declarative pass-through routes (apps/web-bff/routes.json, WEB_BFF_ROUTES_FILE).
        RoutingModule.forRoot({ app: 'web-bff', config }),
      ],
      controllers: [
        ProductPageController,
        OrderDetailsController,
        HomeController,
        LogoutEverywhereController,
      ],
      providers: [ProductPageService, OrderDetailsService, HomeService],
    };
  }
}
