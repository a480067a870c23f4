import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Transform, Type } from 'class-transformer';

interface Source {
  product: {
    id: string;
    name: string;
    price: { amount: number; currency: string };
    thumbnailUrl: string;
  };
  availability?: { available: number };
  reviews?: { averageRating: number; count: number };
  related: { id: string; name: string; price: { amount: number }; thumbnailUrl: string }[];
  meta: { partial: string[] };
}

export class PriceV2Dto {
  @ApiProperty({ type: Number }) @Expose() amount!: number;
  @ApiProperty({ type: String }) @Expose() currency!: string;
}

export class StockV2Dto {
  @ApiProperty({ type: Boolean }) @Expose() inStock!: boolean;
  /** Exact count only when low, so the app can show "only N left". */
  @ApiPropertyOptional({
    type: Number,
    description: 'Exact count only when low, so the app can show "only N left".',
  })
  @Expose()
  low?: number;
}

export class RatingV2Dto {
  @ApiProperty({ type: Number }) @Expose() avg!: number;
  @ApiProperty({ type: Number }) @Expose() count!: number;
}

export class RelatedV2Dto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() title!: string;
  @ApiProperty({ type: Number }) @Expose() price!: number;
  @ApiProperty({ type: String }) @Expose() thumb!: string;
}

/** GET /v2/products/:id — grouped fields and a related-products strip. */
export class ProductV2Dto {
  @ApiProperty({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: Source }) => obj.product.id)
  id!: string;
  @ApiProperty({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: Source }) => obj.product.name)
  title!: string;
  @ApiProperty({ type: () => PriceV2Dto })
  @Expose()
  @Type(() => PriceV2Dto)
  @Transform(({ obj }: { obj: Source }) => obj.product.price)
  price!: PriceV2Dto;
  @ApiProperty({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: Source }) => obj.product.thumbnailUrl)
  image!: string;
  @ApiPropertyOptional({ type: () => StockV2Dto })
  @Expose()
  @Transform(({ obj }: { obj: Source }) =>
    obj.availability === undefined
      ? undefined
      : {
          inStock: obj.availability.available > 0,
          low:
            obj.availability.available > 0 && obj.availability.available <= 5
              ? obj.availability.available
              : undefined,
        },
  )
  stock?: StockV2Dto;
  @ApiPropertyOptional({ type: () => RatingV2Dto })
  @Expose()
  @Transform(({ obj }: { obj: Source }) =>
    obj.reviews === undefined
      ? undefined
      : { avg: obj.reviews.averageRating, count: obj.reviews.count },
  )
  rating?: RatingV2Dto;
  @ApiProperty({ type: () => [RelatedV2Dto] })
  @Expose()
  @Transform(({ obj }: { obj: Source }) =>
    obj.related.map((p) => ({
      id: p.id,
      title: p.name,
      price: p.price.amount,
      thumb: p.thumbnailUrl,
    })),
  )
  related!: RelatedV2Dto[];
  @ApiPropertyOptional({ type: [String] })
  @Expose()
  @Transform(({ obj }: { obj: Source }) =>
    obj.meta.partial.length > 0 ? obj.meta.partial : undefined,
  )
  partial?: string[];
}
