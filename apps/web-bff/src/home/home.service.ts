import { Injectable } from '@nestjs/common';
import { responseMeta } from '@app/aggregation';
import { HomeAggregation } from '@app/clients';

@Injectable()
export class HomeService {
  constructor(private readonly homes: HomeAggregation) {}

  /** Featured products and categories, plus the user and their recent orders when known. */
  async home(userId: string | undefined) {
    const parts = await this.homes.home(userId, {
      featured: 12,
      recentOrders: 3,
      categories: true,
    });
    return {
      featured: parts.featured,
      categories: parts.categories,
      user: parts.user === undefined ? undefined : { ...parts.user, recentOrders: parts.orders },
      meta: responseMeta(),
    };
  }
}
