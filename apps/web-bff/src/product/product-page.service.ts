import { Injectable } from '@nestjs/common';
import { responseMeta } from '@app/aggregation';
import { ProductAggregation } from '@app/clients';

@Injectable()
export class ProductPageService {
  constructor(private readonly products: ProductAggregation) {}

  /** Product, availability, reviews summary and four related products, fetched in parallel. */
  async productPage(id: string) {
    return { ...(await this.products.details(id, { related: 4 })), meta: responseMeta() };
  }
}
