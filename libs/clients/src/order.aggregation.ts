import { Injectable } from '@nestjs/common';
import { assertOwnerOrPrivileged } from '@app/auth';
import type { Principal } from '@app/core';
import { type OptionalPart, aggregate, optional, required } from '@app/aggregation';
import type { Order, OrderItem, Product } from '@app/contracts';
import { BATCH_PAGE_SIZE } from './client.types';
import { CatalogClient } from './catalog.client';
import { OrdersClient } from './orders.client';

/** An order line with its product's name and thumbnail, when the catalog gave them. */
export interface NamedOrderLine extends OrderItem {
  name?: string;
  thumbnailUrl?: string;
}

/** The order steps the web and mobile BFFs share; each adds its own parts and DTO. */
@Injectable()
export class OrderAggregation {
  constructor(
    private readonly orders: OrdersClient,
    private readonly catalog: CatalogClient,
  ) {}

  /**
   * The order, when the caller owns it or is privileged. Someone else's order answers like a
   * missing one, before any further downstream call.
   */
  async owned(id: string, principal: Principal): Promise<Order> {
    const {
      data: { order },
    } = await aggregate({
      order: required((signal) => this.orders.byId(id, { signal })),
    });
    assertOwnerOrPrivileged(principal, order.userId);
    return order;
  }

  /** Optional part: the products of the order's lines, by id. */
  lineProducts(order: Order): OptionalPart<Map<string, Product>> {
    const ids = [...new Set(order.items.map((i) => i.productId))];
    return optional(async (signal) => {
      const page = await this.catalog.page({ ids, pageSize: BATCH_PAGE_SIZE }, { signal });
      return new Map(page.items.map((p) => [p.id, p]));
    });
  }

  /** The order's lines, named from `products` (the value of {@link lineProducts}) when known. */
  namedLines(order: Order, products: ReadonlyMap<string, Product> | undefined): NamedOrderLine[] {
    return order.items.map((item) => ({
      ...item,
      name: products?.get(item.productId)?.name,
      thumbnailUrl: products?.get(item.productId)?.thumbnailUrl,
    }));
  }
}
