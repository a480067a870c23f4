import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Type as TransformType } from 'class-transformer';

export const MAX_LIST_LIMIT = 50;

/** GET /v1/products query: a category filter and cursor pagination. */
export class ProductListQueryDto {
  @ApiPropertyOptional({ description: 'Category id, e.g. `electronics`', example: 'electronics' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,40}$/, { message: 'category must be a category id' })
  category?: string;

  @ApiPropertyOptional({ description: 'Opaque cursor from `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIST_LIMIT, default: 20 })
  @IsOptional()
  @TransformType(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIST_LIMIT)
  limit?: number;

  /** Read (and documented) by `@SparseFields`; declared so validation lets it through. */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  fields?: string;
}

/** One product in a list: what a grid cell shows. */
export class ProductTileDto {
  @ApiProperty() @Expose() id!: string;
  @ApiProperty() @Expose() name!: string;
  @ApiProperty({ description: 'Price in major units' }) @Expose() price!: number;
  @ApiProperty({ example: 'EUR' }) @Expose() currency!: string;
  @ApiProperty() @Expose() thumb!: string;
  @ApiProperty() @Expose() category!: string;
}

/** GET /v1/products — a page of tiles and the cursor of the next page (null on the last page). */
export class ProductListDto {
  @ApiProperty({ type: () => [ProductTileDto] })
  @Expose()
  @Type(() => ProductTileDto)
  items!: ProductTileDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  @Expose()
  nextCursor!: string | null;
}
