import { DynamicModule, Module } from '@nestjs/common';
import { BffConfig, ConfigModule } from '@app/config';
import { CoreModule } from '@app/core';
import { DownstreamModule } from '@app/downstream';
import { ShapingModule } from '@app/shaping';
import { ThrottlingModule } from '@app/throttling';
import { HomeController } from './home/home.controller';
import { HomeService } from './home/home.service';
import { OrderController } from './order/order.controller';
import { OrderService } from './order/order.service';
import { ProductController, ProductV2Controller } from './product/product.controller';
import { ProductService } from './product/product.service';

/** The mobile app's BFF: compact, versioned payloads (`/v1/...`, `/v2/...`). */
@Module({})
export class MobileBffModule {
  static forRoot(config: BffConfig): DynamicModule {
    return {
      module: MobileBffModule,
      imports: [
        ConfigModule.forRoot({ config }),
        CoreModule,
        DownstreamModule.forRoot(),
        ShapingModule,
        ThrottlingModule.forRoot({ namespace: 'mobile' }),
      ],
      controllers: [ProductController, ProductV2Controller, OrderController, HomeController],
      providers: [ProductService, OrderService, HomeService],
    };
  }
}
