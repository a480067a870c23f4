import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/core';
import { aggregate, responseMeta } from '@app/aggregation';
import { OrderAggregation } from '@app/clients';

@Injectable()
export class OrderService {
  constructor(private readonly orders: OrderAggregation) {}

  /** The order, then its lines' product names and thumbnails (the payload carries no stock). */
  async order(id: string, principal: Principal) {
    const order = await this.orders.owned(id, principal);
    const { data } = await aggregate({ products: this.orders.lineProducts(order) });
    return { order, lines: this.orders.namedLines(order, data.products), meta: responseMeta() };
  }
}
