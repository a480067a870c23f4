import { Injectable } from '@nestjs/common';
import { aggregate, optional, required, responseMeta } from '@app/aggregation';
import type { Inventory, Items, Product, ReviewSummary } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';

@Injectable()
export class ProductService {
  constructor(private readonly downstream: DownstreamClient) {}

  /** v1 needs product, stock and rating; v2 also the related strip. */
  async product(id: string, withRelated: boolean) {
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
          withRelated
            ? this.downstream.get<Items<Product>>('catalog', dpath`/products/${id}/related`, {
                signal,
                query: { limit: 6 },
              })
            : Promise.resolve({ items: [] }),
        () => ({ items: [] }),
      ),
    });
    return { ...data, related: data.related?.items ?? [], meta: responseMeta() };
  }
}
