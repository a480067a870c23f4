import { Injectable } from '@nestjs/common';
import { aggregate, optional, required, responseMeta } from '@app/aggregation';
import type { Order } from '@app/contracts';
import { recordAuditChange } from '@app/auth';
import { TieredCache } from '@app/cache';
import { CatalogClient, InventoryClient, OrdersClient, UsersClient } from '@app/clients';
import type { ChangeOrderStatusDto, OrderListQueryDto } from './orders.dto';

const productIdsOf = (orders: Order[]): string[] => [
  ...new Set(orders.flatMap((o) => o.items.map((i) => i.productId))),
];

@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersClient,
    private readonly users: UsersClient,
    private readonly catalog: CatalogClient,
    private readonly inventory: InventoryClient,
    private readonly cache: TieredCache,
  ) {}

  /** A page of orders, then their customers and products in parallel. */
  async list(query: OrderListQueryDto) {
    const {
      data: { orders },
    } = await aggregate({
      orders: required((signal) =>
        this.orders.page(
          { status: query.status, page: query.page ?? 1, pageSize: query.pageSize ?? 20 },
          { signal },
        ),
      ),
    });
    const userIds = [...new Set(orders.items.map((o) => o.userId))];
    const productIds = productIdsOf(orders.items);
    const { data } = await aggregate({
      users: optional((signal) => this.users.byIds(userIds, { signal })),
      products: optional((signal) => this.catalog.byIds(productIds, { signal })),
    });
    const users = new Map((data.users ?? []).map((u) => [u.id, u]));
    const products = new Map((data.products ?? []).map((p) => [p.id, p]));
    return {
      items: orders.items.map((o) => ({
        ...o,
        customer: users.get(o.userId),
        items: o.items.map((i) => ({
          ...i,
          sku: products.get(i.productId)?.sku,
          name: products.get(i.productId)?.name,
        })),
      })),
      pageInfo: {
        page: orders.page,
        pageSize: orders.pageSize,
        total: orders.total,
        totalPages: Math.ceil(orders.total / orders.pageSize),
      },
      meta: responseMeta(),
    };
  }

  /** One order with customer, products and current stock of each line. */
  async detail(id: string) {
    const {
      data: { order },
    } = await aggregate({
      order: required((signal) => this.orders.byId(id, { signal })),
    });
    const productIds = productIdsOf([order]);
    const { data } = await aggregate({
      customer: optional((signal) => this.users.byId(order.userId, { signal })),
      products: optional((signal) => this.catalog.byIds(productIds, { signal })),
      stock: optional((signal) => this.inventory.stock(productIds, { signal })),
    });
    const products = new Map((data.products ?? []).map((p) => [p.id, p]));
    const stock = new Map((data.stock?.items ?? []).map((s) => [s.productId, s]));
    return {
      ...order,
      customer: data.customer,
      items: order.items.map((i) => ({
        ...i,
        sku: products.get(i.productId)?.sku,
        name: products.get(i.productId)?.name,
        available: stock.get(i.productId)?.available,
      })),
      meta: responseMeta(),
    };
  }

  /** Forwarded as is: the orders service owns the transition rules (409 when not allowed). */
  async changeStatus(id: string, change: ChangeOrderStatusDto) {
    const order = await this.orders.changeStatus(id, {
      status: change.status,
      reason: change.reason,
    });
    // The status before is the service's own: the history entry the change followed. A read
    // before the PATCH would cost a call and could see another change made in between.
    const previous = order.history.at(-2)?.status ?? null;
    if (previous !== order.status) {
      recordAuditChange({
        changes: { status: { before: previous, after: order.status } },
        ...(change.reason === undefined ? {} : { reason: change.reason }),
      });
    }
    // Every BFF's cached views of this order (pages and the downstream GET) are now wrong.
    await Promise.all([
      this.cache.purge({ tag: `order:${id}` }),
      this.cache.purge({ tag: this.orders.byIdCacheTag(id) }),
    ]);
    return { ...order, meta: responseMeta() };
  }
}
