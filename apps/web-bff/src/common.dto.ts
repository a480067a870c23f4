import { Expose, Type } from 'class-transformer';

/** Web DTOs: rich pages for the SPA. Shared by this app's pages only. */
export class MoneyDto {
  @Expose() amount!: number;
  @Expose() currency!: string;
}

export class MetaDto {
  /** Parts left out because their downstream failed; empty when the page is complete. */
  @Expose() partial!: string[];
}

export class ProductCardDto {
  @Expose() id!: string;
  @Expose() name!: string;
  @Expose() brand!: string;
  @Expose() @Type(() => MoneyDto) price!: MoneyDto;
  @Expose() thumbnailUrl!: string;
}
