import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Transform } from 'class-transformer';

interface ProductSource {
  product: {
    id: string;
    name: string;
    price: { amount: number; currency: string };
    thumbnailUrl: string;
  };
  availability?: { available: number };
  reviews?: { averageRating: number; count: number };
  meta: { partial: string[] };
}

/**
 * GET /v1/products/:id — a flat card: what a product screen shows above the fold.
 * Numbers, not formatted strings: the app formats for the device's locale.
 */
export class ProductV1Dto {
  @ApiProperty({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: ProductSource }) => obj.product.id)
  id!: string;
  @ApiProperty({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: ProductSource }) => obj.product.name)
  name!: string;
  @ApiProperty({ type: Number })
  @Expose()
  @Transform(({ obj }: { obj: ProductSource }) => obj.product.price.amount)
  price!: number;
  @ApiProperty({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: ProductSource }) => obj.product.price.currency)
  currency!: string;
  @ApiProperty({ type: String })
  @Expose()
  @Transform(({ obj }: { obj: ProductSource }) => obj.product.thumbnailUrl)
  thumb!: string;
  /** null when availability is unknown (inventory failed). */
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'null when availability is unknown (inventory failed).',
  })
  @Expose()
  @Transform(({ obj }: { obj: ProductSource }) =>
    obj.availability ? obj.availability.available > 0 : null,
  )
  inStock!: boolean | null;
  /** null when reviews are unknown or there are none. */
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'null when reviews are unknown or there are none.',
  })
  @Expose()
  @Transform(({ obj }: { obj: ProductSource }) =>
    obj.reviews && obj.reviews.count > 0 ? obj.reviews.averageRating : null,
  )
  rating!: number | null;
  @ApiProperty({ type: Number, nullable: true })
  @Expose()
  @Transform(({ obj }: { obj: ProductSource }) => obj.reviews?.count ?? null)
  reviewCount!: number | null;
  /** Omitted when complete, to save bytes. */
  @ApiPropertyOptional({ type: [String], description: 'Omitted when complete, to save bytes.' })
  @Expose()
  @Transform(({ obj }: { obj: ProductSource }) =>
    obj.meta.partial.length > 0 ? obj.meta.partial : undefined,
  )
  partial?: string[];
}
