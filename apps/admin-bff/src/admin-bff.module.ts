import { DynamicModule, Module } from '@nestjs/common';
import type { BffConfig } from '@app/config';
import { Scopes } from '@app/auth';
import { CachePurgeController } from '@app/cache';
import { AuditController } from './audit/audit.controller';
import { BffPlatformModule } from '@app/platform';
import { OrdersFeedSource } from './feed/orders-feed.source';
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
        BffPlatformModule.forRoot({
          app: 'admin-bff',
          config,
          // Support staff may read (GET routes say so); everything else needs admin.
          auth: { defaultRoles: ['admin'], audit: true },
          cachePurgeEndpoint: true,
          // The admin panel's cookie sessions (its own client, cookies and origins).
          session: config.adminSession,
          // The live feed: GET /events (SSE) and /events/ws (WebSocket), fanned out through Redis.
          feed: true,
        }),
      ],
      controllers: [
        UsersController,
        OrdersController,
        CircuitsController,
        RevocationsController,
        AuditController,
      ],
      providers: [UsersService, OrdersService, OrdersFeedSource],
    };
  }
}
