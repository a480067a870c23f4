import { Controller, Get, Param, Query } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, InsufficientScopeError, userIdOf } from '@app/auth';
import { IdParamPipe, type Principal } from '@app/core';
import { DeprecatedEndpoint, ResponseShape, SparseFields } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { OrderDto } from './order.dto';
import { OrderService } from './order.service';
import { ApiOkResponse } from '@nestjs/swagger';
import { OrderListV2Dto, OrderListV2QueryDto, OrderV2Dto } from './order.v2.dto';

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
  // v2 replaces it, on the same schedule as the v1 product.
  @DeprecatedEndpoint({ since: '2026-12-01', sunset: '2027-06-30', link: '/docs' })
  order(@Param('id', IdParamPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.orders.order(id, principal);
  }
}

@Controller({ path: 'orders', version: '2' })
export class OrderV2Controller {
  constructor(private readonly orders: OrderService) {}

  /** The signed-in user's own orders (whatever their roles), newest first. */
  @Get()
  @Authenticated()
  // Two downstream calls per page (orders, then one catalog batch).
  @RateLimit({ weight: 2 })
  @ApiOkResponse({ type: OrderListV2Dto })
  @SparseFields(OrderListV2Dto, { within: 'items' })
  list(@Query() query: OrderListV2QueryDto, @CurrentPrincipal() principal: Principal) {
    const userId = userIdOf(principal);
    if (userId === undefined) {
      throw new InsufficientScopeError('Only a signed-in user has orders of their own');
    }
    return this.orders.listV2(userId, query);
  }

  @Get(':id')
  @Authenticated()
  @RateLimit({ weight: 2 })
  @ApiOkResponse({ type: OrderV2Dto })
  @SparseFields(OrderV2Dto)
  order(@Param('id', IdParamPipe) id: string, @CurrentPrincipal() principal: Principal) {
    return this.orders.orderV2(id, principal);
  }
}
