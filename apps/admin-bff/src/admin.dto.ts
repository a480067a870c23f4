import { Expose } from 'class-transformer';

/** Admin DTOs: full detail, internal fields included. */
export class MoneyDto {
  @Expose() amount!: number;
  @Expose() currency!: string;
}

export class MetaDto {
  @Expose() partial!: string[];
}

export class PageInfoDto {
  @Expose() page!: number;
  @Expose() pageSize!: number;
  @Expose() total!: number;
  @Expose() totalPages!: number;
}
