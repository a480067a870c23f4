import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@app/core';
import { aggregate, responseMeta } from '@app/aggregation';
import { ListAggregation, OrderAggregation } from '@app/clients';
import type { Order } from '@app/contracts';
import { CursorCodec, nextPageCursor, readPageCursor } from '@app/shaping';
import type { OrderListV2QueryDto } from './order.v2.dto';

/** `partial` only when something is missing: compact payloads leave it out otherwise. */
const partialOrNone = (): string[] | undefined => {
  const { partial } = responseMeta();
  return partial.length > 0 ? partial : undefined;
};

const itemCount = (order: Order): number => order.items.reduce((n, i) => n + i.quantity, 0);

@Injectable()
export class OrderService {
  constructor(
    private readonly orders: OrderAggregation,
    private readonly lists: ListAggregation,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  /** The order, then its lines' product names and thumbnails (the payload carries no stock). */
  async order(id: string, principal: Principal) {
    const order = await this.orders.owned(id, principal);
    const { data } = await aggregate({ products: this.orders.lineProducts(order) });
    return { order, lines: this.orders.namedLines(order, data.products), meta: responseMeta() };
  }

  /** v2: the same calls, grouped total and lines that keep their product ids. */
  async orderV2(id: string, principal: Principal) {
    const { order, lines } = await this.order(id, principal);
    return {
      id: order.id,
      status: order.status,
      placedAt: order.createdAt,
      total: order.total,
      itemCount: itemCount(order),
      lines: lines.map((l) => ({
        productId: l.productId,
        title: l.name,
        qty: l.quantity,
        thumb: l.thumbnailUrl,
      })),
      partial: partialOrNone(),
    };
  }

  /** v2 list: a page of the user's orders, thumbnails from one batched catalog lookup. */
  async listV2(userId: string, query: OrderListV2QueryDto) {
    // Bound to the user: a cursor handed to someone else is refused rather than read.
    const rules = { listing: `mobile-orders|${userId}`, defaultLimit: 10, maxLimit: 50 };
    const position = readPageCursor(this.cursors, query.cursor, query.limit, rules);
    const page = await this.lists.userOrders(userId, {
      page: position.page,
      pageSize: position.size,
    });
    return {
      items: page.orders.map((o) => ({
        id: o.id,
        status: o.status,
        placedAt: o.createdAt,
        total: o.total,
        itemCount: itemCount(o),
        thumbs: o.items
          .map((i) => page.products?.get(i.productId)?.thumbnailUrl)
          .filter((t): t is string => t !== undefined)
          .slice(0, 4),
      })),
      nextCursor: nextPageCursor(this.cursors, position, page.total, rules),
      partial: partialOrNone(),
    };
  }
}
