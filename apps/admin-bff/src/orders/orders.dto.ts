import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '@app/contracts';
import { MetaDto, MoneyDto, PageInfoDto, PageQueryDto } from '../admin.dto';

export class OrderListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}

export class ChangeOrderStatusDto {
  @ApiProperty({ enum: ORDER_STATUSES }) @IsIn(ORDER_STATUSES) status!: OrderStatus;
  @ApiPropertyOptional({ type: String }) @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class AdminOrderLineDto {
  @ApiProperty({ type: String }) @Expose() productId!: string;
  @ApiPropertyOptional({ type: String }) @Expose() sku?: string;
  @ApiPropertyOptional({ type: String }) @Expose() name?: string;
  @ApiProperty({ type: Number }) @Expose() quantity!: number;
  @ApiProperty({ type: () => MoneyDto }) @Expose() @Type(() => MoneyDto) unitPrice!: MoneyDto;
  /** Stock left now (order detail only). */
  @ApiPropertyOptional({ type: Number, description: 'Stock left now (order detail only).' })
  @Expose()
  available?: number;
}

export class HistoryEntryDto {
  @ApiProperty({ type: String }) @Expose() status!: string;
  @ApiProperty({ type: String }) @Expose() at!: string;
  @ApiProperty({ type: String }) @Expose() by!: string;
}

export class AdminCustomerDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() email!: string;
  @ApiProperty({ type: String }) @Expose() displayName!: string;
  @ApiProperty({ type: String }) @Expose() status!: string;
  @ApiProperty({ type: Number }) @Expose() riskScore!: number;
}

export class AddressDto {
  @ApiProperty({ type: String }) @Expose() name!: string;
  @ApiProperty({ type: String }) @Expose() line1!: string;
  @ApiProperty({ type: String }) @Expose() city!: string;
  @ApiProperty({ type: String }) @Expose() postalCode!: string;
  @ApiProperty({ type: String }) @Expose() country!: string;
}

/** One order with every internal field (payment reference, fraud score, history). */
export class AdminOrderDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() userId!: string;
  @ApiProperty({ type: String }) @Expose() status!: string;
  @ApiProperty({ type: String }) @Expose() createdAt!: string;
  @ApiProperty({ type: String }) @Expose() updatedAt!: string;
  @ApiProperty({ type: () => MoneyDto }) @Expose() @Type(() => MoneyDto) total!: MoneyDto;
  @ApiProperty({ type: String }) @Expose() paymentRef!: string;
  @ApiProperty({ type: Number }) @Expose() fraudScore!: number;
  @ApiProperty({ type: () => AddressDto })
  @Expose()
  @Type(() => AddressDto)
  shippingAddress!: AddressDto;
  @ApiProperty({ type: () => [AdminOrderLineDto] })
  @Expose()
  @Type(() => AdminOrderLineDto)
  items!: AdminOrderLineDto[];
  @ApiProperty({ type: () => [HistoryEntryDto] })
  @Expose()
  @Type(() => HistoryEntryDto)
  history!: HistoryEntryDto[];
  @ApiPropertyOptional({ type: () => AdminCustomerDto })
  @Expose()
  @Type(() => AdminCustomerDto)
  customer?: AdminCustomerDto;
}

export class AdminOrderDetailDto extends AdminOrderDto {
  @ApiProperty({ type: () => MetaDto }) @Expose() @Type(() => MetaDto) meta!: MetaDto;
}

/** GET /orders — a page of orders, with customers and product names resolved. */
export class OrderListDto {
  @ApiProperty({ type: () => [AdminOrderDto] })
  @Expose()
  @Type(() => AdminOrderDto)
  items!: AdminOrderDto[];
  @ApiProperty({ type: () => PageInfoDto })
  @Expose()
  @Type(() => PageInfoDto)
  pageInfo!: PageInfoDto;
  @ApiProperty({ type: () => MetaDto }) @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
