import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Type } from 'class-transformer';
import { MetaDto, MoneyDto } from '../common.dto';

export class OrderListLineDto {
  @ApiProperty({ type: String }) @Expose() productId!: string;
  @ApiPropertyOptional({
    type: String,
    description: 'Absent when the catalog could not describe the product.',
  })
  @Expose()
  name?: string;
  @ApiPropertyOptional({ type: String }) @Expose() thumbnailUrl?: string;
  @ApiProperty({ type: Number }) @Expose() quantity!: number;
}

/** One order of "my orders": what a row of the list shows, no address or payment data. */
export class OrderSummaryDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() status!: string;
  @ApiProperty({ type: String }) @Expose() createdAt!: string;
  @ApiProperty({ type: () => MoneyDto }) @Expose() @Type(() => MoneyDto) total!: MoneyDto;
  @ApiProperty({ type: Number, description: 'Sum of the quantities' }) @Expose() itemCount!: number;
  @ApiProperty({ type: () => [OrderListLineDto] })
  @Expose()
  @Type(() => OrderListLineDto)
  items!: OrderListLineDto[];
}

/** GET /orders — the signed-in user's orders, newest first, cursor paged. */
export class OrderListDto {
  @ApiProperty({ type: () => [OrderSummaryDto] })
  @Expose()
  @Type(() => OrderSummaryDto)
  items!: OrderSummaryDto[];
  @ApiProperty({ type: Number, description: 'Orders in the whole list' }) @Expose() total!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  @Expose()
  nextCursor!: string | null;
  @ApiProperty({ type: () => MetaDto }) @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
