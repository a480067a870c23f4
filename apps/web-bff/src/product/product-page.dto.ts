import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Transform, Type } from 'class-transformer';
import type { Inventory } from '@app/contracts';
import { MetaDto, MoneyDto, ProductCardDto } from '../common.dto';

export class ImageDto {
  @ApiProperty({ type: String }) @Expose() url!: string;
  @ApiProperty({ type: String }) @Expose() alt!: string;
  @ApiProperty({ type: Number }) @Expose() width!: number;
  @ApiProperty({ type: Number }) @Expose() height!: number;
}

export class ProductDetailDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() sku!: string;
  @ApiProperty({ type: String }) @Expose() name!: string;
  @ApiProperty({ type: String }) @Expose() description!: string;
  @ApiProperty({ type: String }) @Expose() brand!: string;
  @ApiProperty({ type: String }) @Expose() category!: string;
  @ApiProperty({ type: () => MoneyDto }) @Expose() @Type(() => MoneyDto) price!: MoneyDto;
  @ApiProperty({ type: () => [ImageDto] }) @Expose() @Type(() => ImageDto) images!: ImageDto[];
  @ApiProperty({ type: [String] }) @Expose() tags!: string[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  @Expose()
  attributes!: Record<string, string>;
}

export class AvailabilityDto {
  @ApiProperty({ type: Boolean })
  @Expose()
  @Transform(({ obj }: { obj: Inventory }) => obj.available > 0)
  inStock!: boolean;
  @ApiProperty({ type: Number }) @Expose() available!: number;
  @ApiProperty({ type: String, nullable: true }) @Expose() restockDate!: string | null;
}

export class ReviewsSummaryDto {
  @ApiProperty({ type: Number }) @Expose() averageRating!: number;
  @ApiProperty({ type: Number }) @Expose() count!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  @Expose()
  distribution!: Record<string, number>;
}

/** GET /products/:id — everything the product page renders, in one response. */
export class ProductPageDto {
  @ApiProperty({ type: () => ProductDetailDto })
  @Expose()
  @Type(() => ProductDetailDto)
  product!: ProductDetailDto;
  /** Absent when the inventory service failed (see meta.partial). */
  @ApiPropertyOptional({
    type: () => AvailabilityDto,
    description: 'Absent when the inventory service failed (see meta.partial).',
  })
  @Expose()
  @Type(() => AvailabilityDto)
  availability?: AvailabilityDto;
  /** Absent when the reviews service failed. */
  @ApiPropertyOptional({
    type: () => ReviewsSummaryDto,
    description: 'Absent when the reviews service failed.',
  })
  @Expose()
  @Type(() => ReviewsSummaryDto)
  reviews?: ReviewsSummaryDto;
  /** Empty when the related-products call failed. */
  @ApiProperty({
    type: () => [ProductCardDto],
    description: 'Empty when the related-products call failed.',
  })
  @Expose()
  @Type(() => ProductCardDto)
  related!: ProductCardDto[];
  @ApiProperty({ type: () => MetaDto }) @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
