import { Controller, Get, Param } from '@nestjs/common';
import { IdParamPipe } from '@app/core';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { OrderDetailsDto } from './order-details.dto';
import { OrderDetailsService } from './order-details.service';

@Controller('orders')
export class OrderDetailsController {
  constructor(private readonly orders: OrderDetailsService) {}

  @Get(':id')
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  @ResponseShape(OrderDetailsDto)
  orderDetails(@Param('id', IdParamPipe) id: string) {
    return this.orders.orderDetails(id);
  }
}
