import { Injectable } from '@nestjs/common';
import { aggregate, optional, required } from '@app/aggregation';
import type { Category, Order, Product, User } from '@app/contracts';
import { CatalogClient } from './catalog.client';
import { OrdersClient } from './orders.client';
import { UsersClient } from './users.client';

/** What a home screen shows; optional parts may be missing. */
export interface HomeParts {
  featured: Product[];
  /** Empty when not asked for or when the catalog failed to give them. */
  categories: Category[];
  /** The signed-in user; absent for anonymous callers or when the users service failed. */
  user?: User;
  /** The user's latest orders, newest first (empty when anonymous or on failure). */
  orders: Order[];
}

export interface HomeOptions {
  /** How many featured products. */
  featured: number;
  /** How many of the user's latest orders. */
  recentOrders: number;
  /** Also the category list (web). */
  categories?: boolean;
}

/** The home aggregation the web and mobile BFFs share; each shapes it into its own DTO. */
@Injectable()
export class HomeAggregation {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly users: UsersClient,
    private readonly orders: OrdersClient,
  ) {}

  /**
   * Featured products (required), categories, the user and their latest orders (optional, listed
   * as partial when they fail), in parallel. Parts not asked for make no call. The part names are
   * what clients see in `partial` and `X-Partial-Response`.
   */
  async home(userId: string | undefined, options: HomeOptions): Promise<HomeParts> {
    const none = async (): Promise<undefined> => undefined;
    const { data } = await aggregate({
      featured: required((signal) =>
        this.catalog.page({ featured: true, pageSize: options.featured }, { signal }),
      ),
      categories: optional(
        (signal) => (options.categories === true ? this.catalog.categories({ signal }) : none()),
        () => ({ items: [] }),
      ),
      user: optional((signal) =>
        userId === undefined ? none() : this.users.byId(userId, { signal }),
      ),
      orders: optional((signal) =>
        userId === undefined
          ? none()
          : this.orders.page({ userId, pageSize: options.recentOrders }, { signal }),
      ),
    });
    return {
      featured: data.featured.items,
      categories: data.categories?.items ?? [],
      user: data.user,
      orders: data.orders?.items ?? [],
    };
  }
}
