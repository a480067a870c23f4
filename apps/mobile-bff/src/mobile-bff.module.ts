import { DynamicModule, Module } from '@nestjs/common';
import { BffConfig, ConfigModule } from '@app/config';
import { AuthModule } from '@app/auth';
import { CoreModule } from '@app/core';
import { ObservabilityModule } from '@app/observability';
import { BffCacheModule, DownstreamCache } from '@app/cache';
import { DownstreamClientsModule } from '@app/clients';
import { DownstreamModule } from '@app/downstream';
import { ResilienceModule, ResilienceRegistry } from '@app/resilience';
import { CursorCodec, RoutingModule } from '@app/routing';
import { ShapingModule } from '@app/shaping';
import { ThrottlingModule } from '@app/throttling';
import { LogoutEverywhereController } from './auth/logout-everywhere.controller';
import { HomeController } from './home/home.controller';
import { HomeService } from './home/home.service';
import { OrderController } from './order/order.controller';
import { OrderService } from './order/order.service';
import { ProductController, ProductV2Controller } from './product/product.controller';
import { ProductService } from './product/product.service';
import { ProductListService } from './product/product-list.service';

/** The mobile app's BFF: compact, versioned payloads (`/v1/...`, `/v2/...`). */
@Module({})
export class MobileBffModule {
  static forRoot(config: BffConfig): DynamicModule {
    return {
      module: MobileBffModule,
      imports: [
        ConfigModule.forRoot({ config }),
        CoreModule,
        // JSON logs, /metrics, spans, /health/live and /health/ready.
        ObservabilityModule.forRoot({ app: 'mobile-bff' }),
        // First global guard: the throttler and the cache key read the verified principal.
        AuthModule.forRoot({ audience: config.auth.audiences['mobile-bff'] }),
        // Before ShapingModule: its global interceptor must wrap shaping to cache the final body.
        BffCacheModule.forRoot({ app: 'mobile-bff' }),
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
        ThrottlingModule.forRoot({ namespace: 'mobile' }),
        // Declarative pass-through routes (apps/mobile-bff/routes.json, MOBILE_BFF_ROUTES_FILE).
        RoutingModule.forRoot({ app: 'mobile-bff', config }),
      ],
      controllers: [
        ProductController,
        ProductV2Controller,
        OrderController,
        HomeController,
        LogoutEverywhereController,
      ],
      providers: [
        ProductService,
        OrderService,
        HomeService,
        ProductListService,
        { provide: CursorCodec, useValue: new CursorCodec(config.routing.cursorSecret) },
      ],
    };
  }
}
