import { DynamicModule, Module } from '@nestjs/common';
import { BffConfig, ConfigModule } from '@app/config';
import { AuthModule, Scopes } from '@app/auth';
import { CoreModule } from '@app/core';
import { ObservabilityModule } from '@app/observability';
import { BffCacheModule, CachePurgeController, DownstreamCache } from '@app/cache';
import { DownstreamClientsModule } from '@app/clients';
import { DownstreamModule } from '@app/downstream';
import { ResilienceModule, ResilienceRegistry } from '@app/resilience';
import { RoutingModule } from '@app/routing';
import { ShapingModule } from '@app/shaping';
import { ThrottlingModule } from '@app/throttling';
import { CircuitsController } from './ops/circuits.controller';
import { OrdersController } from './orders/orders.controller';
import { OrdersService } from './orders/orders.service';
import { RevocationsController } from './revocations/revocations.controller';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

// The cache lib's `POST /ops/cache/purge` (mounted below): admin only (the module's default role),
// with a token delegated to purge.
Scopes('cache:purge')(CachePurgeController);

/** The admin panel's BFF: full detail, internal fields, order status changes. */
@Module({})
export class AdminBffModule {
  static forRoot(config: BffConfig): DynamicModule {
    return {
      module: AdminBffModule,
      imports: [
        ConfigModule.forRoot({ config }),
        CoreModule,
        // JSON logs, /metrics, spans, /health/live and /health/ready.
        ObservabilityModule.forRoot({ app: 'admin-bff' }),
        // First global guard: the throttler and the cache key read the verified principal.
        AuthModule.forRoot({
          audience: config.auth.audiences['admin-bff'],
          // Support staff may read (GET routes say so); everything else needs admin.
          defaultRoles: ['admin'],
          audit: true,
        }),
        // Before ShapingModule: its global interceptor must wrap shaping to cache the final body.
        BffCacheModule.forRoot({ app: 'admin-bff', purgeEndpoint: true }),
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
        ThrottlingModule.forRoot({ namespace: 'admin' }),
        // Declarative pass-through routes (apps/admin-bff/routes.json, ADMIN_BFF_ROUTES_FILE).
        RoutingModule.forRoot({ app: 'admin-bff', config }),
      ],
      controllers: [UsersController, OrdersController, CircuitsController, RevocationsController],
      providers: [UsersService, OrdersService],
    };
  }
}
