import { Expose, Type } from 'class-transformer';
import { MetaDto, MoneyDto } from '../common.dto';

export class OrderLineDto {
  @Expose() productId!: string;
  /** Absent when the catalog could not describe the product. */
  @Expose() name?: string;
  @Expose() thumbnailUrl?: string;
  @Expose() quantity!: number;
  @Expose() @Type(() => MoneyDto) unitPrice!: MoneyDto;
}

export class CustomerDto {
  @Expose() id!: string;
  @Expose() displayName!: string;
  @Expose() email!: string;
  @Expose() avatarUrl!: string;
}

export class ShippingAddressDto {
  @Expose() name!: string;
  @Expose() line1!: string;
  @Expose() city!: string;
  @Expose() postalCode!: string;
  @Expose() country!: string;
}

/** GET /orders/:id — an order with its customer and product descriptions. */
export class OrderDetailsDto {
  @Expose() id!: string;
  @Expose() status!: string;
  @Expose() createdAt!: string;
  @Expose() updatedAt!: string;
  @Expose() @Type(() => MoneyDto) total!: MoneyDto;
  @Expose() @Type(() => ShippingAddressDto) shippingAddress!: ShippingAddressDto;
  @Expose() @Type(() => OrderLineDto) items!: OrderLineDto[];
  /** Absent when the users service failed. */
  @Expose() @Type(() => CustomerDto) customer?: CustomerDto;
  @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
