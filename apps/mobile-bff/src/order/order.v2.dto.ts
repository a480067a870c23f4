import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Type as TransformType } from 'class-transformer';
import { PriceV2Dto } from '../product/product.v2.dto';

/** GET /v2/orders query: cursor paging and sparse fields. */
export class OrderListV2QueryDto {
  @ApiPropertyOptional({ description: 'Opaque cursor from `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 10 })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;

  /** Read (and documented) by `@SparseFields`; declared so validation lets it through. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  fields?: string;
}

export class OrderLineV2Dto {
  @ApiProperty({ type: String }) @Expose() productId!: string;
  @ApiPropertyOptional({ type: String, description: 'Absent when the catalog failed.' })
  @Expose()
  title?: string;
  @ApiProperty({ type: Number }) @Expose() qty!: number;
  @ApiPropertyOptional({ type: String }) @Expose() thumb?: string;
}

/** GET /v2/orders/:id — grouped total, lines with product ids; no address or payment data. */
export class OrderV2Dto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() status!: string;
  @ApiProperty({ type: String }) @Expose() placedAt!: string;
  @ApiProperty({ type: () => PriceV2Dto }) @Expose() @Type(() => PriceV2Dto) total!: PriceV2Dto;
  @ApiProperty({ type: Number }) @Expose() itemCount!: number;
  @ApiProperty({ type: () => [OrderLineV2Dto] })
  @Expose()
  @Type(() => OrderLineV2Dto)
  lines!: OrderLineV2Dto[];
  @ApiPropertyOptional({ type: [String] }) @Expose() partial?: string[];
}

/** One order in the v2 list: a row with up to four product thumbnails. */
export class OrderSummaryV2Dto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() status!: string;
  @ApiProperty({ type: String }) @Expose() placedAt!: string;
  @ApiProperty({ type: () => PriceV2Dto }) @Expose() @Type(() => PriceV2Dto) total!: PriceV2Dto;
  @ApiProperty({ type: Number }) @Expose() itemCount!: number;
  @ApiProperty({ type: [String], description: 'Up to four; empty when the catalog failed.' })
  @Expose()
  thumbs!: string[];
}

/** GET /v2/orders — the signed-in user's orders, newest first, cursor paged. */
export class OrderListV2Dto {
  @ApiProperty({ type: () => [OrderSummaryV2Dto] })
  @Expose()
  @Type(() => OrderSummaryV2Dto)
  items!: OrderSummaryV2Dto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  @Expose()
  nextCursor!: string | null;
  @ApiPropertyOptional({ type: [String] }) @Expose() partial?: string[];
}
