import { DynamicModule, Module } from '@nestjs/common';
import type { BffConfig } from '@app/config';
import { GraphqlFacadeModule } from '@app/graphql';
import { BffPlatformModule } from '@app/platform';
import { CursorCodec } from '@app/shaping';
import { LogoutEverywhereController } from './auth/logout-everywhere.controller';
import { HomeController, HomeV2Controller } from './home/home.controller';
import { HomeService } from './home/home.service';
import { OrderController, OrderV2Controller } from './order/order.controller';
import { OrderService } from './order/order.service';
import { ProductController, ProductV2Controller } from './product/product.controller';
import { ProductService } from './product/product.service';
import { ProductListService } from './product/product-list.service';

/** The mobile app's BFF: compact, versioned payloads (`/v1/...`, `/v2/...`; see mobile-bff.app.ts). */
@Module({})
export class MobileBffModule {
  static forRoot(config: BffConfig): DynamicModule {
    return {
      module: MobileBffModule,
      imports: [
        BffPlatformModule.forRoot({ app: 'mobile-bff', config }),
        // POST/GET /graphql, unversioned: clients pick their fields (libs/graphql).
        GraphqlFacadeModule.forRoot({ app: 'mobile-bff' }, config.graphql.enabled),
      ],
      controllers: [
        ProductController,
        ProductV2Controller,
        OrderController,
        OrderV2Controller,
        HomeController,
        HomeV2Controller,
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
