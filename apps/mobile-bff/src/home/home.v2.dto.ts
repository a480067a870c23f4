import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Type } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PriceV2Dto } from '../product/product.v2.dto';
import { HomeQueryDto } from './home.dto';

/** GET /v2/home query: as v1, plus sparse fields. */
export class HomeV2QueryDto extends HomeQueryDto {
  /** Read (and documented) by `@SparseFields`; declared so validation lets it through. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  fields?: string;
}

export class TileV2Dto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() title!: string;
  @ApiProperty({ type: () => PriceV2Dto }) @Expose() @Type(() => PriceV2Dto) price!: PriceV2Dto;
  @ApiProperty({ type: String }) @Expose() thumb!: string;
}

export class RecentOrderV2Dto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() status!: string;
  @ApiProperty({ type: String }) @Expose() placedAt!: string;
}

/** GET /v2/home — a greeting, up to 8 tiles with grouped prices and the last three orders. */
export class HomeV2Dto {
  @ApiPropertyOptional({ type: String, description: 'Only for a signed-in user.' })
  @Expose()
  greeting?: string;
  @ApiProperty({ type: () => [TileV2Dto] }) @Expose() @Type(() => TileV2Dto) tiles!: TileV2Dto[];
  @ApiProperty({
    type: () => [RecentOrderV2Dto],
    description: 'Newest first; empty when anonymous or when the orders service failed.',
  })
  @Expose()
  @Type(() => RecentOrderV2Dto)
  recentOrders!: RecentOrderV2Dto[];
  @ApiPropertyOptional({ type: [String] }) @Expose() partial?: string[];
}
