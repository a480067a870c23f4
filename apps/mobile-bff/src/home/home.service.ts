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

  async home(userId: string | undefined) {
    const none = async (): Promise<undefined> => undefined;
    const { data } = await aggregate({
      featured: required((signal) =>
        this.catalog.page({ featured: true, pageSize: 8 }, { signal }),
      ),
      user: optional((signal) =>
        userId === undefined ? none() : this.users.byId(userId, { signal }),
      ),
      orders: optional((signal) =>
        userId === undefined ? none() : this.orders.page({ userId, pageSize: 1 }, { signal }),
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
