import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Type } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { MetaDto, MoneyDto } from '../common.dto';
import { CursorQueryDto } from '../list-query.dto';

/** GET /products query: a category, a search term and cursor paging. */
export class ProductListQueryDto extends CursorQueryDto {
  @ApiPropertyOptional({ description: 'Category id, e.g. `electronics`', example: 'electronics' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,40}$/, { message: 'category must be a category id' })
  category?: string;

  @ApiPropertyOptional({ description: 'Search in name, brand, SKU and tags', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class ListAvailabilityDto {
  @ApiProperty({ type: Boolean }) @Expose() inStock!: boolean;
  @ApiProperty({ type: Number }) @Expose() available!: number;
}

/** One product of a listing: what a catalogue grid card shows. */
export class ProductListItemDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() name!: string;
  @ApiProperty({ type: String }) @Expose() brand!: string;
  @ApiProperty({ type: String }) @Expose() category!: string;
  @ApiProperty({ type: () => MoneyDto }) @Expose() @Type(() => MoneyDto) price!: MoneyDto;
  @ApiProperty({ type: String }) @Expose() thumbnailUrl!: string;
  @ApiPropertyOptional({
    type: () => ListAvailabilityDto,
    description: 'Absent when the inventory service failed (see meta.partial).',
  })
  @Expose()
  @Type(() => ListAvailabilityDto)
  availability?: ListAvailabilityDto;
}

/** GET /products — a page of the catalogue (a category, a search), cursor paged. */
export class ProductListDto {
  @ApiProperty({ type: () => [ProductListItemDto] })
  @Expose()
  @Type(() => ProductListItemDto)
  items!: ProductListItemDto[];
  @ApiProperty({ type: Number, description: 'Products matching the filters' })
  @Expose()
  total!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  @Expose()
  nextCursor!: string | null;
  @ApiProperty({ type: () => MetaDto }) @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
