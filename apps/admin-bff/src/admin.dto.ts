import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

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

/** `?page=&pageSize=` of every admin list. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: Number })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  page?: number;
  @ApiPropertyOptional({ type: Number })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize?: number;
}
