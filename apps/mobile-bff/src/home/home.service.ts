import { Injectable } from '@nestjs/common';
import { responseMeta } from '@app/aggregation';
import { HomeAggregation } from '@app/clients';

@Injectable()
export class HomeService {
  constructor(private readonly homes: HomeAggregation) {}

  /** Featured products, plus the user and their latest order when known. */
  async home(userId: string | undefined) {
    const parts = await this.homes.home(userId, { featured: 8, recentOrders: 1 });
    return {
      featured: parts.featured,
      user: parts.user,
      lastOrder: parts.orders[0],
      meta: responseMeta(),
    };
  }

  /** v2: the same parallel calls, grouped prices and the last three orders. */
  async homeV2(userId: string | undefined) {
    const parts = await this.homes.home(userId, { featured: 8, recentOrders: 3 });
    const { partial } = responseMeta();
    return {
      greeting: parts.user?.firstName,
      tiles: parts.featured.slice(0, 8).map((p) => ({
        id: p.id,
        title: p.name,
        price: p.price,
        thumb: p.thumbnailUrl,
      })),
      recentOrders: parts.orders.map((o) => ({
        id: o.id,
        status: o.status,
        placedAt: o.createdAt,
      })),
      partial: partial.length > 0 ? partial : undefined,
    };
  }
}
