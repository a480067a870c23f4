import { Injectable } from '@nestjs/common';
import type { Category, Items, Page, Product } from '@app/contracts';
import { DownstreamClient, dpath } from '@app/downstream';
import { BATCH_PAGE_SIZE, type CallOptions } from './client.types';

const SERVICE = 'catalog';

/** Filters and paging of `GET /products`; absent fields are not sent. */
export interface ProductQuery {
  ids?: readonly string[];
  featured?: boolean;
  page?: number;
  pageSize?: number;
  category?: string;
  /** Free-text search (`q`). */
  query?: string;
}

/** The catalog service: products and categories. */
@Injectable()
export class CatalogClient {
  constructor(private readonly downstream: DownstreamClient) {}

  /** One product. */
  product(id: string, options: CallOptions = {}): Promise<Product> {
    return this.downstream.get<Product>(SERVICE, dpath`/products/${id}`, options);
  }

  /** Up to `limit` products related to `id`. */
  related(id: string, limit: number, options: CallOptions = {}): Promise<Items<Product>> {
    return this.downstream.get<Items<Product>>(SERVICE, dpath`/products/${id}/related`, {
      ...options,
      query: { limit },
    });
  }

  /** A page of products matching `query`. */
  page(query: ProductQuery, options: CallOptions = {}): Promise<Page<Product>> {
    return this.downstream.get<Page<Product>>(SERVICE, '/products', {
      ...options,
      query: {
        ids: query.ids,
        featured: query.featured,
        page: query.page,
        pageSize: query.pageSize,
        category: query.category,
        q: query.query,
      },
    });
  }

  /** The products with these ids (at most one page of them); no call for none. */
  async byIds(ids: readonly string[], options: CallOptions = {}): Promise<Product[]> {
    if (ids.length === 0) return [];
    return (await this.page({ ids, pageSize: BATCH_PAGE_SIZE }, options)).items;
  }

  /** Every category. */
  categories(options: CallOptions = {}): Promise<Items<Category>> {
    return this.downstream.get<Items<Category>>(SERVICE, '/categories', options);
  }
}
