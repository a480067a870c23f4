import { Injectable } from '@nestjs/common';
import { aggregate, optional, required } from '@app/aggregation';
import type { Inventory, Order, Product } from '@app/contracts';
import { BATCH_PAGE_SIZE } from './client.types';
import { CatalogClient } from './catalog.client';
import { InventoryClient } from './inventory.client';
import { OrdersClient } from './orders.client';

/** One page of a downstream listing (1-based `page`). */
export interface PageRequest {
  page: number;
  pageSize: number;
}

/** A page of the user's orders with the products of all their lines. */
export interface OrderListPage {
  orders: Order[];
  total: number;
  /** Products by id; undefined when the catalog failed (listed as partial `products`). */
  products?: ReadonlyMap<string, Product>;
}

/** A page of products with their stock. */
export interface ProductListPage {
  products: Product[];
  total: number;
  /** Stock by product id; undefined when the inventory failed (partial `availability`). */
  stock?: ReadonlyMap<string, Inventory>;
}

/** Filters of a product listing; absent ones are not applied. */
export interface ProductListFilter {
  category?: string;
  q?: string;
}

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );

/**
 * Listings the web and mobile BFFs share. Each page costs a fixed number of downstream calls
 * whatever its length: one for the page, then one batch lookup (per 100 ids) for what its items
 * reference, never one call per item.
 */
@Injectable()
export class ListAggregation {
  constructor(
    private readonly orders: OrdersClient,
    private readonly catalog: CatalogClient,
    private readonly inventory: InventoryClient,
  ) {}

  /** The user's orders, newest first, and the products of their lines in batched calls. */
  async userOrders(userId: string, page: PageRequest): Promise<OrderListPage> {
    const {
      data: { list },
    } = await aggregate({
      list: required((signal) => this.orders.page({ userId, ...page }, { signal })),
    });
    const ids = [...new Set(list.items.flatMap((o) => o.items.map((i) => i.productId)))];
    const { data } = await aggregate({
      products: optional(async (signal) => {
        const batches = await Promise.all(
          chunks(ids, BATCH_PAGE_SIZE).map((batch) => this.catalog.byIds(batch, { signal })),
        );
        return new Map(batches.flat().map((p) => [p.id, p]));
      }),
    });
    return { orders: list.items, total: list.total, products: data.products };
  }

  /** A page of products matching `filter`, then their stock in one batched call. */
  async products(filter: ProductListFilter, page: PageRequest): Promise<ProductListPage> {
    const {
      data: { list },
    } = await aggregate({
      list: required((signal) => this.catalog.page({ ...filter, ...page }, { signal })),
    });
    const ids = list.items.map((p) => p.id);
    const { data } = await aggregate({
      availability: optional(async (signal) =>
        ids.length === 0
          ? new Map<string, Inventory>()
          : new Map(
              (await this.inventory.stock(ids, { signal })).items.map((i) => [i.productId, i]),
            ),
      ),
    });
    return { products: list.items, total: list.total, stock: data.availability };
  }
}
