import { Controller, Get, Query } from '@nestjs/common';
import { CacheResponse } from '@app/cache';
import { Public } from '@app/core';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { ApiOkResponse } from '@nestjs/swagger';
import { ProductListDto, ProductListQueryDto } from './product-list.dto';
import { ProductListService } from './product-list.service';

@Controller('products')
export class ProductListController {
  constructor(private readonly lists: ProductListService) {}

  /** Catalogue listing and search, with each product's availability. */
  @Get()
  @Public({ optionalAuth: true })
  // Two downstream calls per page (catalog, then one inventory batch).
  @RateLimit({ weight: 2 })
  // Public catalogue content: shared by every caller, keyed by its filters and position.
  @CacheResponse({
    ttl: 30,
    swr: 30,
    sie: 300,
    scope: 'public',
    query: ['category', 'q', 'cursor', 'limit'],
  })
  @ApiOkResponse({ type: ProductListDto })
  @ResponseShape(ProductListDto)
  list(@Query() query: ProductListQueryDto) {
    return this.lists.list(query);
  }
}
