import { Expose, Type, Type as TransformType } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '@app/contracts';
import { MetaDto, MoneyDto, PageInfoDto } from '../admin.dto';

export class OrderListQueryDto {
  @IsOptional() @IsIn(ORDER_STATUSES) status?: OrderStatus;
  @IsOptional() @TransformType(() => Number) @IsInt() @Min(1) @Max(10_000) page?: number;
  @IsOptional() @TransformType(() => Number) @IsInt() @Min(1) @Max(100) pageSize?: number;
}

export class ChangeOrderStatusDto {
  @IsIn(ORDER_STATUSES) status!: OrderStatus;
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class AdminOrderLineDto {
  @Expose() productId!: string;
  @Expose() sku?: string;
  @Expose() name?: string;
  @Expose() quantity!: number;
  @Expose() @Type(() => MoneyDto) unitPrice!: MoneyDto;
  /** Stock left now (order detail only). */
  @Expose() available?: number;
}

export class HistoryEntryDto {
  @Expose() status!: string;
  @Expose() at!: string;
  @Expose() by!: string;
}

export class AdminCustomerDto {
  @Expose() id!: string;
  @Expose() email!: string;
  @Expose() displayName!: string;
  @Expose() status!: string;
  @Expose() riskScore!: number;
}

export class AddressDto {
  @Expose() name!: string;
  @Expose() line1!: string;
  @Expose() city!: string;
  @Expose() postalCode!: string;
  @Expose() country!: string;
}

/** One order with every internal field (payment reference, fraud score, history). */
export class AdminOrderDto {
  @Expose() id!: string;
  @Expose() userId!: string;
  @Expose() status!: string;
  @Expose() createdAt!: string;
  @Expose() updatedAt!: string;
  @Expose() @Type(() => MoneyDto) total!: MoneyDto;
  @Expose() paymentRef!: string;
  @Expose() fraudScore!: number;
  @Expose() @Type(() => AddressDto) shippingAddress!: AddressDto;
  @Expose() @Type(() => AdminOrderLineDto) items!: AdminOrderLineDto[];
  @Expose() @Type(() => HistoryEntryDto) history!: HistoryEntryDto[];
  @Expose() @Type(() => AdminCustomerDto) customer?: AdminCustomerDto;
}

export class AdminOrderDetailDto extends AdminOrderDto {
  @Expose() @Type(() => MetaDto) meta!: MetaDto;
}

/** GET /orders — a page of orders, with customers and product names resolved. */
export class OrderListDto {
  @Expose() @Type(() => AdminOrderDto) items!: AdminOrderDto[];
  @Expose() @Type(() => PageInfoDto) pageInfo!: PageInfoDto;
  @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
