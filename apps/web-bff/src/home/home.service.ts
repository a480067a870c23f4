import { Injectable } from '@nestjs/common';
import { aggregate, optional, required, responseMeta } from '@app/aggregation';
import { CatalogClient, OrdersClient, UsersClient } from '@app/clients';

@Injectable()
export class HomeService {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly users: UsersClient,
    private readonly orders: OrdersClient,
  ) {}

  /** Featured products and categories, plus the user and their recent orders when known. */
  async home(userId: string | undefined) {
    const none = async (): Promise<undefined> => undefined;
    const { data } = await aggregate({
      featured: required((signal) =>
        this.catalog.page({ featured: true, pageSize: 12 }, { signal }),
      ),
      categories: optional(
        (signal) => this.catalog.categories({ signal }),
        () => ({ items: [] }),
      ),
      user: optional((signal) =>
        userId === undefined ? none() : this.users.byId(userId, { signal }),
      ),
      orders: optional((signal) =>
        userId === undefined ? none() : this.orders.page({ userId, pageSize: 3 }, { signal }),
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
