import { Inject, Injectable } from '@nestjs/common';
import { responseMeta } from '@app/aggregation';
import { ListAggregation } from '@app/clients';
import { CursorCodec, nextPageCursor, readPageCursor } from '@app/shaping';
import type { ProductListQueryDto } from './product-list.dto';

@Injectable()
export class ProductListService {
  constructor(
    private readonly lists: ListAggregation,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  /** A page of products (by category and search term) with their availability. */
  async list(query: ProductListQueryDto) {
    const q = query.q?.trim() || undefined;
    // The filters are bound into the cursor: it continues this listing only.
    const rules = {
      listing: `web-products|${query.category ?? ''}|${q ?? ''}`,
      defaultLimit: 20,
      maxLimit: 50,
    };
    const position = readPageCursor(this.cursors, query.cursor, query.limit, rules);
    const page = await this.lists.products(
      { category: query.category, q },
      { page: position.page, pageSize: position.size },
    );
    return {
      items: page.products.map((p) => {
        const stock = page.stock?.get(p.id);
        return {
          id: p.id,
          name: p.name,
          brand: p.brand,
          category: p.category,
          price: p.price,
          thumbnailUrl: p.thumbnailUrl,
          availability:
            page.stock === undefined
              ? undefined
              : { inStock: (stock?.available ?? 0) > 0, available: stock?.available ?? 0 },
        };
      }),
      total: page.total,
      nextCursor: nextPageCursor(this.cursors, position, page.total, rules),
      meta: responseMeta(),
    };
  }
}
