import { Inject, Injectable } from '@nestjs/common';
import { CatalogClient } from '@app/clients';
import { CursorCodec, nextPageCursor, readPageCursor } from '@app/shaping';
import { MAX_LIST_LIMIT, type ProductListQueryDto } from './product-list.dto';

/** Cursor pagination over the catalog's page-based listing. */
@Injectable()
export class ProductListService {
  constructor(
    private readonly catalog: CatalogClient,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  async list(query: ProductListQueryDto) {
    // The category is bound into the cursor: it continues this listing only.
    const rules = {
      listing: `mobile-products|${query.category ?? ''}`,
      defaultLimit: 20,
      maxLimit: MAX_LIST_LIMIT,
    };
    const position = readPageCursor(this.cursors, query.cursor, query.limit, rules);
    const result = await this.catalog.page({
      page: position.page,
      pageSize: position.size,
      category: query.category,
    });
    return {
      items: result.items.map((p) => ({
        id: p.id,
        name: p.name,
        price: p.price.amount,
        currency: p.price.currency,
        thumb: p.thumbnailUrl,
        category: p.category,
      })),
      nextCursor: nextPageCursor(this.cursors, position, result.total, rules),
    };
  }
}
