import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/core';
import { aggregate, optional, responseMeta } from '@app/aggregation';
import { OrderAggregation, UsersClient } from '@app/clients';

@Injectable()
export class OrderDetailsService {
  constructor(
    private readonly orders: OrderAggregation,
    private readonly users: UsersClient,
  ) {}

  /** The order first (it names the customer and products), then both of those in parallel. */
  async orderDetails(id: string, principal: Principal) {
    const order = await this.orders.owned(id, principal);
    const { data } = await aggregate({
      customer: optional((signal) => this.users.byId(order.userId, { signal })),
      products: this.orders.lineProducts(order),
    });
    return {
      ...order,
      items: this.orders.namedLines(order, data.products),
      customer: data.customer,
      meta: responseMeta(),
    };
  }
}
