import { Controller, Get, Param } from '@nestjs/common';
import { IdParamPipe } from '@app/core';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { ProductPageDto } from './product-page.dto';
import { ProductPageService } from './product-page.service';

@Controller('products')
export class ProductPageController {
  constructor(private readonly pages: ProductPageService) {}

  @Get(':id')
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  @ResponseShape(ProductPageDto)
  productPage(@Param('id', IdParamPipe) id: string) {
    return this.pages.productPage(id);
  }
}
