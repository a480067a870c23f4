import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Type } from 'class-transformer';
import { MetaDto, MoneyDto } from '../common.dto';
import { OrderListLineDto } from './order-list.dto';

/** A line of the order page: the list's line plus its unit price. */
export class OrderLineDto extends OrderListLineDto {
  @ApiProperty({ type: () => MoneyDto }) @Expose() @Type(() => MoneyDto) unitPrice!: MoneyDto;
}

export class CustomerDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() displayName!: string;
  @ApiProperty({ type: String }) @Expose() email!: string;
  @ApiProperty({ type: String }) @Expose() avatarUrl!: string;
}

export class ShippingAddressDto {
  @ApiProperty({ type: String }) @Expose() name!: string;
  @ApiProperty({ type: String }) @Expose() line1!: string;
  @ApiProperty({ type: String }) @Expose() city!: string;
  @ApiProperty({ type: String }) @Expose() postalCode!: string;
  @ApiProperty({ type: String }) @Expose() country!: string;
}

/** GET /orders/:id — an order with its customer and product descriptions. */
export class OrderDetailsDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() status!: string;
  @ApiProperty({ type: String }) @Expose() createdAt!: string;
  @ApiProperty({ type: String }) @Expose() updatedAt!: string;
  @ApiProperty({ type: () => MoneyDto }) @Expose() @Type(() => MoneyDto) total!: MoneyDto;
  @ApiProperty({ type: () => ShippingAddressDto })
  @Expose()
  @Type(() => ShippingAddressDto)
  shippingAddress!: ShippingAddressDto;
  @ApiProperty({ type: () => [OrderLineDto] })
  @Expose()
  @Type(() => OrderLineDto)
  items!: OrderLineDto[];
  /** Absent when the users service failed. */
  @ApiPropertyOptional({
    type: () => CustomerDto,
    description: 'Absent when the users service failed.',
  })
  @Expose()
  @Type(() => CustomerDto)
  customer?: CustomerDto;
  @ApiProperty({ type: () => MetaDto }) @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
