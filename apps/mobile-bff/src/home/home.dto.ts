import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmpty } from 'class-validator';
import { Expose, Transform, Type } from 'class-transformer';

/** The user is the verified caller (bearer token or session), never a query parameter. */
export class HomeQueryDto {
  /** Removed with authentication; refused with a 400 that tells old clients why. */
  @IsEmpty({
    message: 'userId is no longer accepted: the signed-in user comes from the access token',
  })
  userId?: never;
}

interface Source {
  featured: { id: string; name: string; price: { amount: number }; thumbnailUrl: string }[];
  user?: { displayName: string; firstName: string };
  lastOrder?: { id: string; status: string };
  meta: { partial: string[] };
}

export class TileDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() name!: string;
  @ApiProperty({ type: Number }) @Expose() price!: number;
  @ApiProperty({ type: String }) @Expose() thumb!: string;
}

export class LastOrderDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() status!: string;
}

/** GET /v1/home — a greeting, up to 8 tiles and the last order's status. */
export class HomeDto {
  @ApiPropertyOptional({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: Source }) => obj.user?.firstName)
  greeting?: string;
  @ApiProperty({ type: () => [TileDto] })
  @Expose()
  @Type(() => TileDto)
  @Transform(({ obj }: { obj: Source }) =>
    obj.featured
      .slice(0, 8)
      .map((p) => ({ id: p.id, name: p.name, price: p.price.amount, thumb: p.thumbnailUrl })),
  )
  tiles!: TileDto[];
  @ApiPropertyOptional({ type: () => LastOrderDto })
  @Expose()
  @Type(() => LastOrderDto)
  lastOrder?: LastOrderDto;
  @ApiPropertyOptional({ type: [String] })
  @Expose()
  @Transform(({ obj }: { obj: Source }) =>
    obj.meta.partial.length > 0 ? obj.meta.partial : undefined,
  )
  partial?: string[];
}
