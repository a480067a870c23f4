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
}
