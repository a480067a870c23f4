import { Controller, Get, Param, Query, applyDecorators } from '@nestjs/common';
import { CacheResponse } from '@app/cache';
import { IdParamPipe, Public } from '@app/core';
import { DeprecatedEndpoint, SparseFields } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { ApiOkResponse } from '@nestjs/swagger';
import { ProductListDto, ProductListQueryDto } from './product-list.dto';
import { ProductListService } from './product-list.service';
import { ProductService } from './product.service';
import { ProductV1Dto } from './product.v1.dto';
import { ProductV2Dto } from './product.v2.dto';

/**
 * What every version of the product endpoint shares: public with optional identity, two rate-limit
 * tokens (it fans out to several downstream calls), cached publicly (stale beats an error page),
 * shaped into `dto` with `?fields=` sparse fieldsets.
 */
const ProductEndpoint = (dto: new () => object): MethodDecorator =>
  applyDecorators(
    Public({ optionalAuth: true }),
    RateLimit({ weight: 2 }),
    CacheResponse({
      ttl: 30,
      swr: 30,
      sie: 300,
      scope: 'public',
      query: ['fields'],
      tags: ({ params }) => [`product:${params.id}`],
    }),
    ApiOkResponse({ type: dto }),
    SparseFields(dto),
  );

@Controller('products')
export class ProductController {
  constructor(
    private readonly products: ProductService,
    private readonly lists: ProductListService,
  ) {}

  /** A page of product tiles with cursor pagination, optionally one category's. */
  @Get()
  @Public({ optionalAuth: true })
  @ApiOkResponse({ type: ProductListDto })
  @SparseFields(ProductListDto, { within: 'items' })
  list(@Query() query: ProductListQueryDto) {
    return this.lists.list(query);
  }

  @Get(':id')
  @ProductEndpoint(ProductV1Dto)
  // v2 replaces it: clients are told through Deprecation / Sunset headers (RFC 9745 / RFC 8594).
  @DeprecatedEndpoint({ since: '2026-06-01', sunset: '2027-06-30', link: '/docs' })
  v1(@Param('id', IdParamPipe) id: string) {
    return this.products.product(id, false);
  }
}

@Controller({ path: 'products', version: '2' })
export class ProductV2Controller {
  constructor(private readonly products: ProductService) {}

  @Get(':id')
  @ProductEndpoint(ProductV2Dto)
  v2(@Param('id', IdParamPipe) id: string) {
    return this.products.product(id, true);
  }
}
