import { Controller, Get, Param } from '@nestjs/common';
import { IdParamPipe } from '@app/core';
import { ResponseShape } from '@app/shaping';
import { RateLimit } from '@app/throttling';
import { ProductService } from './product.service';
import { ProductV1Dto } from './product.v1.dto';
import { ProductV2Dto } from './product.v2.dto';

@Controller('products')
export class ProductController {
  constructor(private readonly products: ProductService) {}

  @Get(':id')
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  @ResponseShape(ProductV1Dto)
  v1(@Param('id', IdParamPipe) id: string) {
    return this.products.product(id, false);
  }
}

@Controller({ path: 'products', version: '2' })
export class ProductV2Controller {
  constructor(private readonly products: ProductService) {}

  @Get(':id')
  // Fans out to several downstream calls: costs two rate-limit tokens.
  @RateLimit({ weight: 2 })
  @ResponseShape(ProductV2Dto)
  v2(@Param('id', IdParamPipe) id: string) {
    return this.products.product(id, true);
  }
}
