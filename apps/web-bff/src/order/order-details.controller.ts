import { Controller, Get, Param } from '@nestjs/common';
import { Authenticated, CurrentPrincipal } from '@app/auth';
import { CacheResponse } from '@app/cache';
import { IdParamPipe, type Principal } from '@app/core';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { OrderDetailsDto } from './order-details.dto';
import { OrderDetailsService } from './order-details.service';
import { ApiOkResponse } from '@nestjs/swagger';

/** Signed-in callers only; each sees their own orders, support/admin any (the service checks). */
@Controller('orders')
export class OrderDetailsController {
  constructor(private readonly orders: OrderDetailsService) {}

  @Get(':id')
  @Authenticated()
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  // Per user, short-lived; purged by the admin status change (tag order:<id>).
  @CacheResponse({
    ttl: 10,
    sie: 60,
    scope: 'user',
    query: [],
    tags: ({ params }) => [`order:${params.id}`],
  })
  @ApiOkResponse({ type: OrderDetailsDto })
  @ResponseShape(OrderDetailsDto)
  orderDetails(@Param('id', IdParamPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.orders.orderDetails(id, principal);
  }
}
