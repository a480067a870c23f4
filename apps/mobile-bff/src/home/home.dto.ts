import { Expose, Transform, Type } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';

export class HomeQueryDto {
  /** Until the auth issue lands, the signed-in user is named by the query. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'userId must be a plain id' })
  userId?: string;
}

interface Source {
  featured: { id: string; name: string; price: { amount: number }; thumbnailUrl: string }[];
  user?: { displayName: string; firstName: string };
  lastOrder?: { id: string; status: string };
  meta: { partial: string[] };
}

export class TileDto {
  @Expose() id!: string;
  @Expose() name!: string;
  @Expose() price!: number;
  @Expose() thumb!: string;
}

export class LastOrderDto {
  @Expose() id!: string;
  @Expose() status!: string;
}

/** GET /v1/home — a greeting, up to 8 tiles and the last order's status. */
export class HomeDto {
  @Expose() @Transform(({ obj }: { obj: Source }) => obj.user?.firstName) greeting?: string;
  @Expose()
  @Type(() => TileDto)
  @Transform(({ obj }: { obj: Source }) =>
    obj.featured
      .slice(0, 8)
      .map((p) => ({ id: p.id, name: p.name, price: p.price.amount, thumb: p.thumbnailUrl })),
  )
  tiles!: TileDto[];
  @Expose() @Type(() => LastOrderDto) lastOrder?: LastOrderDto;
  @Expose()
  @Transform(({ obj }: { obj: Source }) =>
    obj.meta.partial.length > 0 ? obj.meta.partial : undefined,
  )
  partial?: string[];
}
