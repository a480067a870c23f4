import { Controller, Get, Param } from '@nestjs/common';
import { IdParamPipe } from '@app/core';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { OrderDto } from './order.dto';
import { OrderService } from './order.service';

@Controller('orders')
export class OrderController {
  constructor(private readonly orders: OrderService) {}

  @Get(':id')
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  @ResponseShape(OrderDto)
  order(@Param('id', IdParamPipe) id: string) {
    return this.orders.order(id);
  }
}
