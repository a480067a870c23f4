import { Injectable } from '@nestjs/common';
import { aggregate, optional, required, responseMeta } from '@app/aggregation';
import type { Inventory, Items, Product, ReviewSummary } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';

@Injectable()
export class ProductPageService {
  constructor(private readonly downstream: DownstreamClient) {}

  /** Product, availability, reviews summary and related products, fetched in parallel. */
  async productPage(id: string) {
    const { data } = await aggregate({
      product: required((signal) =>
        this.downstream.get<Product>('catalog', dpath`/products/${id}`, { signal }),
      ),
      availability: optional((signal) =>
        this.downstream.get<Inventory>('inventory', dpath`/inventory/${id}`, { signal }),
      ),
      reviews: optional((signal) =>
        this.downstream.get<ReviewSummary>('reviews', dpath`/reviews/summary/${id}`, { signal }),
      ),
      related: optional(
        (signal) =>
          this.downstream.get<Items<Product>>('catalog', dpath`/products/${id}/related`, {
            signal,
            query: { limit: 4 },
          }),
        () => ({ items: [] }),
      ),
    });
    return { ...data, related: data.related?.items ?? [], meta: responseMeta() };
  }
}
