import { Injectable } from '@nestjs/common';
import { aggregate, optional, required, responseMeta } from '@app/aggregation';
import type { Order, Page, Product, User } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';

@Injectable()
export class HomeService {
  constructor(private readonly downstream: DownstreamClient) {}

  async home(userId: string | undefined) {
    const none = async (): Promise<undefined> => undefined;
    const { data } = await aggregate({
      featured: required((signal) =>
        this.downstream.get<Page<Product>>('catalog', '/products', {
          signal,
          query: { featured: true, pageSize: 8 },
        }),
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
              query: { userId, pageSize: 1 },
            }),
      ),
    });
    return {
      featured: data.featured.items,
      user: data.user,
      lastOrder: data.orders?.items[0],
      meta: responseMeta(),
    };
  }
}
