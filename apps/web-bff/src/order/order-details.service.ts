import { Injectable } from '@nestjs/common';
import { assertOwnerOrPrivileged } from '@app/auth';
import type { Principal } from '@app/core';
import { aggregate, optional, required, responseMeta } from '@app/aggregation';
import type { Order, Page, Product, User } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';

@Injectable()
export class OrderDetailsService {
  constructor(private readonly downstream: DownstreamClient) {}

  /** The order first (it names the customer and products), then both of those in parallel. */
  async orderDetails(id: string, principal: Principal) {
    const {
      data: { order },
    } = await aggregate({
      order: required((signal) =>
        this.downstream.get<Order>('orders', dpath`/orders/${id}`, { signal }),
      ),
    });
    // Someone else's order answers like a missing one, before any further downstream call.
    assertOwnerOrPrivileged(principal, order.userId);
    const productIds = [...new Set(order.items.map((i) => i.productId))];
    const { data } = await aggregate({
      customer: optional((signal) =>
        this.downstream.get<User>('users', dpath`/users/${order.userId}`, { signal }),
      ),
      products: optional((signal) =>
        this.downstream.get<Page<Product>>('catalog', '/products', {
          signal,
          query: { ids: productIds, pageSize: 100 },
        }),
      ),
    });
    const byId = new Map((data.products?.items ?? []).map((p) => [p.id, p]));
    return {
      ...order,
      items: order.items.map((item) => ({
        ...item,
        name: byId.get(item.productId)?.name,
        thumbnailUrl: byId.get(item.productId)?.thumbnailUrl,
      })),
      customer: data.customer,
      meta: responseMeta(),
    };
  }
}
