import { Injectable } from '@nestjs/common';
import { aggregate, optional, required, responseMeta } from '@app/aggregation';
import type { Category, Items, Order, Page, Product, User } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';

@Injectable()
export class HomeService {
  constructor(private readonly downstream: DownstreamClient) {}

  /** Featured products and categories, plus the user and their recent orders when known. */
  async home(userId: string | undefined) {
    const none = async (): Promise<undefined> => undefined;
    const { data } = await aggregate({
      featured: required((signal) =>
        this.downstream.get<Page<Product>>('catalog', '/products', {
          signal,
          query: { featured: true, pageSize: 12 },
        }),
      ),
      categories: optional(
        (signal) => this.downstream.get<Items<Category>>('catalog', '/categories', { signal }),
        () => ({ items: [] }),
      ),
      user: optional((signal) =>
        userId === undefined
          ? none()
          : this.downstream.get<User>('users', dpath`/users/${userId}`, { signal }),
      ),
      orders: optional((signal) =>
        userId === undefined
          ? none()
          : this.downstream.get<Page<Order>>('orders', '/orders', {
              signal,
              query: { userId, pageSize: 3 },
            }),
      ),
    });
    return {
      featured: data.featured.items,
      categories: data.categories?.items ?? [],
      user:
        data.user === undefined
          ? undefined
          : { ...data.user, recentOrders: data.orders?.items ?? [] },
      meta: responseMeta(),
    };
  }
}
