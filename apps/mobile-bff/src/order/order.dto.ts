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
  @Expose() name?: string;
  @Expose() qty!: number;
  @Expose() thumb?: string;
}

/** GET /v1/orders/:id — status, total and a thumbnail list; no addresses or payment data. */
export class OrderDto {
  @Expose() @Transform(({ obj }: { obj: Source }) => obj.order.id) id!: string;
  @Expose() @Transform(({ obj }: { obj: Source }) => obj.order.status) status!: string;
  @Expose() @Transform(({ obj }: { obj: Source }) => obj.order.createdAt) placedAt!: string;
  @Expose() @Transform(({ obj }: { obj: Source }) => obj.order.total.amount) total!: number;
  @Expose() @Transform(({ obj }: { obj: Source }) => obj.order.total.currency) currency!: string;
  @Expose()
  @Transform(({ obj }: { obj: Source }) => obj.lines.reduce((n, l) => n + l.quantity, 0))
  itemCount!: number;
  @Expose()
  @Type(() => OrderLineDto)
  @Transform(({ obj }: { obj: Source }) =>
    obj.lines.map((l) => ({ name: l.name, qty: l.quantity, thumb: l.thumbnailUrl })),
  )
  items!: OrderLineDto[];
  @Expose()
  @Transform(({ obj }: { obj: Source }) =>
    obj.meta.partial.length > 0 ? obj.meta.partial : undefined,
  )
  partial?: string[];
}
