import { Injectable } from '@nestjs/common';
import { assertOwnerOrPrivileged } from '@app/auth';
import type { Principal } from '@app/core';
import { aggregate, optional, required, responseMeta } from '@app/aggregation';
import type { Order, Page, Product } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';

@Injectable()
export class OrderService {
  constructor(private readonly downstream: DownstreamClient) {}

  /** The order, then its lines' product names and thumbnails (the payload carries no stock). */
  async order(id: string, principal: Principal) {
    const {
      data: { order },
    } = await aggregate({
      order: required((signal) =>
        this.downstream.get<Order>('orders', dpath`/orders/${id}`, { signal }),
      ),
    });
    // Someone else's order answers like a missing one, before any further downstream call.
    assertOwnerOrPrivileged(principal, order.userId);
    const ids = [...new Set(order.items.map((i) => i.productId))];
    const { data } = await aggregate({
      products: optional((signal) =>
        this.downstream.get<Page<Product>>('catalog', '/products', {
          signal,
          query: { ids, pageSize: 100 },
        }),
      ),
    });
    const byId = new Map((data.products?.items ?? []).map((p) => [p.id, p]));
    return {
      order,
      lines: order.items.map((i) => ({
        productId: i.productId,
        quantity: i.quantity,
        name: byId.get(i.productId)?.name,
        thumbnailUrl: byId.get(i.productId)?.thumbnailUrl,
      })),
      meta: responseMeta(),
    };
  }
}
