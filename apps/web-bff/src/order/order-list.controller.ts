import { Controller, Get, Query } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, InsufficientScopeError, userIdOf } from '@app/auth';
import type { Principal } from '@app/core';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { ApiOkResponse } from '@nestjs/swagger';
import { CursorQueryDto } from '../list-query.dto';
import { OrderListDto } from './order-list.dto';
import { OrderListService } from './order-list.service';

/** "My orders": the signed-in user's own orders, whatever their roles. */
@Controller('orders')
export class OrderListController {
  constructor(private readonly lists: OrderListService) {}

  @Get()
  @Authenticated()
  // Two downstream calls per page (orders, then one catalog batch).
  @RateLimit({ weight: 2 })
  // Not cached: a user expects an order they just placed or changed to show at once.
  @ApiOkResponse({ type: OrderListDto })
  @ResponseShape(OrderListDto)
  myOrders(@Query() query: CursorQueryDto, @CurrentPrincipal() principal: Principal) {
    const userId = userIdOf(principal);
    if (userId === undefined) {
      throw new InsufficientScopeError('Only a signed-in user has orders of their own');
    }
    return this.lists.myOrders(userId, query);
  }
}
