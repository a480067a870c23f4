import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { AuditAction, Roles, Scopes } from '@app/auth';
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
import { ApiOkResponse } from '@nestjs/swagger';

@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @Roles('admin', 'support')
  @Scopes('orders:read')
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  @ApiOkResponse({ type: OrderListDto })
  @ResponseShape(OrderListDto)
  list(@Query() query: OrderListQueryDto) {
    return this.orders.list(query);
  }

  @Get(':id')
  @Roles('admin', 'support')
  @Scopes('orders:read')
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  @ApiOkResponse({ type: AdminOrderDetailDto })
  @ResponseShape(AdminOrderDetailDto)
  detail(@Param('id', IdParamPipe) id: string) {
    return this.orders.detail(id);
  }

  @Patch(':id/status')
  // Mutations: admin only, with a token delegated to write orders; recorded in the audit trail.
  @Roles('admin')
  @Scopes('orders:write')
  @AuditAction('order.status.change', 'order/:id')
  @ApiOkResponse({ type: AdminOrderDetailDto })
  @ResponseShape(AdminOrderDetailDto)
  changeStatus(@Param('id', IdParamPipe) id: string, @Body() change: ChangeOrderStatusDto) {
    return this.orders.changeStatus(id, change);
  }
}
