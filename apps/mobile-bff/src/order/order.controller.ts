import { Controller, Get, Param } from '@nestjs/common';
import { Authenticated, CurrentPrincipal } from '@app/auth';
import { IdParamPipe, type Principal } from '@app/core';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { OrderDto } from './order.dto';
import { OrderService } from './order.service';
import { ApiOkResponse } from '@nestjs/swagger';

/** Signed-in callers only; each sees their own orders, support/admin any (the service checks). */
@Controller('orders')
export class OrderController {
  constructor(private readonly orders: OrderService) {}

  @Get(':id')
  @Authenticated()
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  @ApiOkResponse({ type: OrderDto })
  @ResponseShape(OrderDto)
  order(@Param('id', IdParamPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.orders.order(id, principal);
  }
}
