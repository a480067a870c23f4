import { Injectable } from '@nestjs/common';
import { aggregate, optional, required, responseMeta } from '@app/aggregation';
import { OrdersClient, UsersClient } from '@app/clients';
import type { OrderStatsByUser } from '@app/contracts';
import type { UserSearchQueryDto } from './users.dto';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersClient,
    private readonly orders: OrdersClient,
  ) {}

  /** The matching page of users, then the order statistics of exactly those users. */
  async search(query: UserSearchQueryDto) {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const {
      data: { users },
    } = await aggregate({
      users: required((signal) => this.users.page({ q: query.q, page, pageSize }, { signal })),
    });
    const ids = users.items.map((u) => u.id);
    const { data } = await aggregate({
      stats: optional((signal) =>
        ids.length === 0
          ? Promise.resolve({} as OrderStatsByUser)
          : this.orders.stats(ids, { signal }),
      ),
    });
    return {
      items: users.items.map((u) => ({ ...u, orders: data.stats?.[u.id] })),
      pageInfo: {
        page: users.page,
        pageSize: users.pageSize,
        total: users.total,
        totalPages: Math.ceil(users.total / users.pageSize),
      },
      meta: responseMeta(),
    };
  }
}
