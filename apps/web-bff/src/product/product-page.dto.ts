import { Expose, Transform, Type } from 'class-transformer';
import type { Inventory } from '@app/contracts';
import { MetaDto, MoneyDto, ProductCardDto } from '../common.dto';

export class ImageDto {
  @Expose() url!: string;
  @Expose() alt!: string;
  @Expose() width!: number;
  @Expose() height!: number;
}

export class ProductDetailDto {
  @Expose() id!: string;
  @Expose() sku!: string;
  @Expose() name!: string;
  @Expose() description!: string;
  @Expose() brand!: string;
  @Expose() category!: string;
  @Expose() @Type(() => MoneyDto) price!: MoneyDto;
  @Expose() @Type(() => ImageDto) images!: ImageDto[];
  @Expose() tags!: string[];
  @Expose() attributes!: Record<string, string>;
}

export class AvailabilityDto {
  @Expose() @Transform(({ obj }: { obj: Inventory }) => obj.available > 0) inStock!: boolean;
  @Expose() available!: number;
  @Expose() restockDate!: string | null;
}

export class ReviewsSummaryDto {
  @Expose() averageRating!: number;
  @Expose() count!: number;
  @Expose() distribution!: Record<string, number>;
}

/** GET /products/:id — everything the product page renders, in one response. */
export class ProductPageDto {
  @Expose() @Type(() => ProductDetailDto) product!: ProductDetailDto;
  /** Absent when the inventory service failed (see meta.partial). */
  @Expose() @Type(() => AvailabilityDto) availability?: AvailabilityDto;
  /** Absent when the reviews service failed. */
  @Expose() @Type(() => ReviewsSummaryDto) reviews?: ReviewsSummaryDto;
  /** Empty when the related-products call failed. */
  @Expose() @Type(() => ProductCardDto) related!: ProductCardDto[];
  @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
