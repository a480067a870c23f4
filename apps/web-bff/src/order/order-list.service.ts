import { Inject, Injectable } from '@nestjs/common';
import { responseMeta } from '@app/aggregation';
import { ListAggregation } from '@app/clients';
import { CursorCodec, nextPageCursor, readPageCursor } from '@app/shaping';
import type { CursorQueryDto } from '../list-query.dto';

@Injectable()
export class OrderListService {
  constructor(
    private readonly lists: ListAggregation,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  /** A page of the user's orders, each line named from one batched catalog lookup per page. */
  async myOrders(userId: string, query: CursorQueryDto) {
    // Bound to the user: a cursor handed to someone else is refused rather than read.
    const rules = { listing: `web-orders|${userId}`, defaultLimit: 10, maxLimit: 50 };
    const position = readPageCursor(this.cursors, query.cursor, query.limit, rules);
    const page = await this.lists.userOrders(userId, {
      page: position.page,
      pageSize: position.size,
    });
    return {
      items: page.orders.map((o) => ({
        id: o.id,
        status: o.status,
        createdAt: o.createdAt,
        total: o.total,
        itemCount: o.items.reduce((n, i) => n + i.quantity, 0),
        items: o.items.map((i) => ({
          productId: i.productId,
          name: page.products?.get(i.productId)?.name,
          thumbnailUrl: page.products?.get(i.productId)?.thumbnailUrl,
          quantity: i.quantity,
        })),
      })),
      total: page.total,
      nextCursor: nextPageCursor(this.cursors, position, page.total, rules),
      meta: responseMeta(),
    };
  }
}
