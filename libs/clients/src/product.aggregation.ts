import { Injectable } from '@nestjs/common';
import { aggregate, optional, required } from '@app/aggregation';
import type { Inventory, Product, ReviewSummary } from '@app/contracts';
import { CatalogClient } from './catalog.client';
import { InventoryClient } from './inventory.client';
import { ReviewsClient } from './reviews.client';

/** One product with what a product page shows beside it; optional parts may be missing. */
export interface ProductDetails {
  product: Product;
  availability?: Inventory;
  reviews?: ReviewSummary;
  /** Empty when not asked for or when the catalog failed to give them. */
  related: Product[];
}

export interface ProductDetailsOptions {
  /** How many related products to fetch; none, and no call, when absent. */
  related?: number;
}

/** The product aggregation the web and mobile BFFs share; each shapes it into its own DTO. */
@Injectable()
export class ProductAggregation {
  constructor(
    private readonly catalog: CatalogClient,
    private readonly inventory: InventoryClient,
    private readonly reviews: ReviewsClient,
  ) {}

  /**
   * Product (required), availability, reviews summary and related products (optional, listed as
   * partial when they fail), fetched in parallel. The part names are what clients see in
   * `partial` and `X-Partial-Response`: renaming one changes the apps' responses.
   */
  async details(id: string, options: ProductDetailsOptions = {}): Promise<ProductDetails> {
    const limit = options.related;
    const { data } = await aggregate({
      product: required((signal) => this.catalog.product(id, { signal })),
      availability: optional((signal) => this.inventory.stockOf(id, { signal })),
      reviews: optional((signal) => this.reviews.summary(id, { signal })),
      related: optional(
        (signal) =>
          limit === undefined
            ? Promise.resolve({ items: [] })
            : this.catalog.related(id, limit, { signal }),
        () => ({ items: [] }),
      ),
    });
    return { ...data, related: data.related?.items ?? [] };
  }
}
