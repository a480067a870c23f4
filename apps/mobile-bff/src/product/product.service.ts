import { Injectable } from '@nestjs/common';
import { responseMeta } from '@app/aggregation';
import { ProductAggregation } from '@app/clients';

@Injectable()
export class ProductService {
  constructor(private readonly products: ProductAggregation) {}

  /** v1 needs product, stock and rating; v2 also the related strip. */
  async product(id: string, withRelated: boolean) {
    const details = await this.products.details(id, { related: withRelated ? 6 : undefined });
    return { ...details, meta: responseMeta() };
  }
}
