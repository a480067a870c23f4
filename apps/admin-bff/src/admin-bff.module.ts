import { DynamicModule, Module } from '@nestjs/common';
import { BffConfig, ConfigModule } from '@app/config';
import { CoreModule } from '@app/core';
import { DownstreamModule } from '@app/downstream';
import { ShapingModule } from '@app/shaping';
import { ThrottlingModule } from '@app/throttling';
import { OrdersController } from './orders/orders.controller';
import { OrdersService } from './orders/orders.service';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/** The admin panel's BFF: full detail, internal fields, order status changes. */
@Module({})
export class AdminBffModule {
  static forRoot(config: BffConfig): DynamicModule {
    return {
      module: AdminBffModule,
      imports: [
        ConfigModule.forRoot({ config }),
        CoreModule,
        DownstreamModule.forRoot(),
        ShapingModule,
        ThrottlingModule.forRoot({ namespace: 'admin' }),
      ],
      controllers: [UsersController, OrdersController],
      providers: [UsersService, OrdersService],
    };
  }
}
