import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { IdParamPipe } from '@app/core';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import {
  AdminOrderDetailDto,
  ChangeOrderStatusDto,
  OrderListDto,
  OrderListQueryDto,
} from './orders.dto';
import { OrdersService } from './orders.service';

@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  @ResponseShape(OrderListDto)
  list(@Query() query: OrderListQueryDto) {
    return this.orders.list(query);
  }

  @Get(':id')
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  @ResponseShape(AdminOrderDetailDto)
  detail(@Param('id', IdParamPipe) id: string) {
    return this.orders.detail(id);
  }

  @Patch(':id/status')
  @ResponseShape(AdminOrderDetailDto)
  changeStatus(@Param('id', IdParamPipe) id: string, @Body() change: ChangeOrderStatusDto) {
    return this.orders.changeStatus(id, change);
  }
}
