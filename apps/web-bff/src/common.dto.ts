import { ApiProperty } from '@nestjs/swagger';
import { Expose, Type } from 'class-transformer';

/** Web DTOs: rich pages for the SPA. Shared by this app's pages only. */
export class MoneyDto {
  @ApiProperty({ type: Number }) @Expose() amount!: number;
  @ApiProperty({ type: String }) @Expose() currency!: string;
}

export class MetaDto {
  /** Parts left out because their downstream failed; empty when the page is complete. */
  @ApiProperty({
    type: [String],
    description: 'Parts left out because their downstream failed; empty when the page is complete.',
  })
  @Expose()
  partial!: string[];
}

export class ProductCardDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() name!: string;
  @ApiProperty({ type: String }) @Expose() brand!: string;
  @ApiProperty({ type: () => MoneyDto }) @Expose() @Type(() => MoneyDto) price!: MoneyDto;
  @ApiProperty({ type: String }) @Expose() thumbnailUrl!: string;
}
