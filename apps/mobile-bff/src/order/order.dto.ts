import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Transform, Type } from 'class-transformer';

interface Source {
  order: {
    id: string;
    status: string;
    createdAt: string;
    total: { amount: number; currency: string };
  };
  lines: { productId: string; name?: string; thumbnailUrl?: string; quantity: number }[];
  meta: { partial: string[] };
}

export class OrderLineDto {
  @ApiPropertyOptional({ type: String }) @Expose() name?: string;
  @ApiProperty({ type: Number }) @Expose() qty!: number;
  @ApiPropertyOptional({ type: String }) @Expose() thumb?: string;
}

/** GET /v1/orders/:id — status, total and a thumbnail list; no addresses or payment data. */
export class OrderDto {
  @ApiProperty({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: Source }) => obj.order.id)
  id!: string;
  @ApiProperty({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: Source }) => obj.order.status)
  status!: string;
  @ApiProperty({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: Source }) => obj.order.createdAt)
  placedAt!: string;
  @ApiProperty({ type: Number })
  @Expose()
  @Transform(({ obj }: { obj: Source }) => obj.order.total.amount)
  total!: number;
  @ApiProperty({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: Source }) => obj.order.total.currency)
  currency!: string;
  @ApiProperty({ type: Number })
  @Expose()
  @Transform(({ obj }: { obj: Source }) => obj.lines.reduce((n, l) => n + l.quantity, 0))
  itemCount!: number;
  @ApiProperty({ type: () => [OrderLineDto] })
  @Expose()
  @Type(() => OrderLineDto)
  @Transform(({ obj }: { obj: Source }) =>
    obj.lines.map((l) => ({ name: l.name, qty: l.quantity, thumb: l.thumbnailUrl })),
  )
  items!: OrderLineDto[];
  @ApiPropertyOptional({ type: [String] })
  @Expose()
  @Transform(({ obj }: { obj: Source }) =>
    obj.meta.partial.length > 0 ? obj.meta.partial : undefined,
  )
  partial?: string[];
}
