import { Controller, Get, Param } from '@nestjs/common';
import { CacheResponse } from '@app/cache';
import { IdParamPipe, Public } from '@app/core';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { ProductPageDto } from './product-page.dto';
import { ProductPageService } from './product-page.service';
import { ApiOkResponse } from '@nestjs/swagger';

@Controller('products')
export class ProductPageController {
  constructor(private readonly pages: ProductPageService) {}

  @Get(':id')
  @Public({ optionalAuth: true })
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  // Public catalogue content: shared by every caller; stale data beats an error page.
  @CacheResponse({
    ttl: 30,
    swr: 30,
    sie: 300,
    scope: 'public',
    query: [],
    tags: ({ params }) => [`product:${params.id}`],
  })
  @ApiOkResponse({ type: ProductPageDto })
  @ResponseShape(ProductPageDto)
  productPage(@Param('id', IdParamPipe) id: string) {
    return this.pages.productPage(id);
  }
}
