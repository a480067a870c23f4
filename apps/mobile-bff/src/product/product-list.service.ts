import { Inject, Injectable } from '@nestjs/common';
import { CatalogClient } from '@app/clients';
import { CursorCodec, ShapingInputError } from '@app/shaping';
import type { ProductListQueryDto } from './product-list.dto';

const DEFAULT_LIMIT = 20;

/** Position of a listing, bound to its filter so a cursor cannot be replayed on another one. */
interface ListCursor {
  /** Next downstream page. */
  p: number;
  /** Page size the listing started with. */
  s: number;
  /** Category filter ('' for none). */
  c: string;
}

/** Cursor pagination over the catalog's page-based listing. */
@Injectable()
export class ProductListService {
  constructor(
    private readonly catalog: CatalogClient,
    @Inject(CursorCodec) private readonly cursors: CursorCodec,
  ) {}

  async list(query: ProductListQueryDto) {
    const category = query.category ?? '';
    const position = query.cursor === undefined ? undefined : this.decode(query.cursor, category);
    const size = position?.s ?? query.limit ?? DEFAULT_LIMIT;
    if (position !== undefined && query.limit !== undefined && query.limit !== position.s) {
      throw new ShapingInputError('INVALID_CURSOR', 'limit cannot change within one listing');
    }
    const page = position?.p ?? 1;
    const result = await this.catalog.page({
      page,
      pageSize: size,
      category: category === '' ? undefined : category,
    });
    const more = page * size < result.total;
    return {
      items: result.items.map((p) => ({
        id: p.id,
        name: p.name,
        price: p.price.amount,
        currency: p.price.currency,
        thumb: p.thumbnailUrl,
        category: p.category,
      })),
      nextCursor: more
        ? this.cursors.encode({ p: page + 1, s: size, c: category } satisfies ListCursor)
        : null,
    };
  }

  private decode(cursor: string, category: string): ListCursor {
    const c = this.cursors.decode(cursor);
    if (
      typeof c.p !== 'number' ||
      !Number.isInteger(c.p) ||
      c.p < 2 ||
      typeof c.s !== 'number' ||
      !Number.isInteger(c.s) ||
      c.s < 1 ||
      c.s > 50 ||
      c.c !== category
    ) {
      throw new ShapingInputError('INVALID_CURSOR', 'The cursor is not valid for this listing');
    }
    return c as unknown as ListCursor;
  }
}
