import { DynamicModule, Module } from '@nestjs/common';
import { BffConfig, ConfigModule } from '@app/config';
import { CoreModule } from '@app/core';
import { DownstreamModule } from '@app/downstream';
import { ShapingModule } from '@app/shaping';
import { ThrottlingModule } from '@app/throttling';
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
        DownstreamModule.forRoot(),
        ShapingModule,
        ThrottlingModule.forRoot({ namespace: 'web' }),
      ],
      controllers: [ProductPageController, OrderDetailsController, HomeController],
      providers: [ProductPageService, OrderDetailsService, HomeService],
    };
  }
}
