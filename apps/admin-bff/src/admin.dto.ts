import { ApiProperty } from '@nestjs/swagger';
import { Expose } from 'class-transformer';

/** Admin DTOs: full detail, internal fields included. */
export class MoneyDto {
  @ApiProperty({ type: Number }) @Expose() amount!: number;
  @ApiProperty({ type: String }) @Expose() currency!: string;
}

export class MetaDto {
  @ApiProperty({ type: [String] }) @Expose() partial!: string[];
}

export class PageInfoDto {
  @ApiProperty({ type: Number }) @Expose() page!: number;
  @ApiProperty({ type: Number }) @Expose() pageSize!: number;
  @ApiProperty({ type: Number }) @Expose() total!: number;
  @ApiProperty({ type: Number }) @Expose() totalPages!: number;
}
