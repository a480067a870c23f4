import { DynamicModule, Module } from '@nestjs/common';
import type { BffConfig } from '@app/config';
import { GraphqlFacadeModule } from '@app/graphql';
import { BffPlatformModule } from '@app/platform';
import { CursorCodec } from '@app/shaping';
import { LogoutEverywhereController } from './auth/logout-everywhere.controller';
import { HomeController } from './home/home.controller';
import { HomeService } from './home/home.service';
import { OrderDetailsController } from './order/order-details.controller';
import { OrderDetailsService } from './order/order-details.service';
import { OrderListController } from './order/order-list.controller';
import { OrderListService } from './order/order-list.service';
import { ProductPageController } from './product/product-page.controller';
import { ProductPageService } from './product/product-page.service';
import { ProductListController } from './product/product-list.controller';
import { ProductListService } from './product/product-list.service';

/** The web SPA's BFF: rich pages aggregated from several services. */
@Module({})
export class WebBffModule {
  static forRoot(config: BffConfig): DynamicModule {
    return {
      module: WebBffModule,
      // SPA cookie sessions on.
      imports: [
        BffPlatformModule.forRoot({ app: 'web-bff', config, session: true }),
        // POST/GET /graphql: the same pages as one schema (libs/graphql).
        GraphqlFacadeModule.forRoot({ app: 'web-bff' }, config.graphql.enabled),
      ],
      controllers: [
        ProductPageController,
        OrderDetailsController,
        HomeController,
        LogoutEverywhereController,
        ProductListController,
        OrderListController,
      ],
      providers: [
        ProductPageService,
        OrderDetailsService,
        HomeService,
        ProductListService,
        OrderListService,
        { provide: CursorCodec, useValue: new CursorCodec(config.routing.cursorSecret) },
      ],
    };
  }
}
