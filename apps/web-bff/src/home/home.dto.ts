import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmpty } from 'class-validator';
import { Expose, Type } from 'class-transformer';
import { MetaDto, MoneyDto, ProductCardDto } from '../common.dto';

/** The user is the verified caller (bearer token or session), never a query parameter. */
export class HomeQueryDto {
  /** Removed with authentication; refused with a 400 that tells old clients why. */
  @IsEmpty({
    message: 'userId is no longer accepted: the signed-in user comes from the access token',
  })
  userId?: never;
}

export class RecentOrderDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() status!: string;
  @ApiProperty({ type: String }) @Expose() createdAt!: string;
  @ApiProperty({ type: () => MoneyDto }) @Expose() @Type(() => MoneyDto) total!: MoneyDto;
}

export class UserSummaryDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() displayName!: string;
  @ApiProperty({ type: String }) @Expose() avatarUrl!: string;
  @ApiProperty({ type: String }) @Expose() tier!: string;
  @ApiProperty({ type: () => [RecentOrderDto] })
  @Expose()
  @Type(() => RecentOrderDto)
  recentOrders!: RecentOrderDto[];
}

export class CategoryDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() name!: string;
  @ApiProperty({ type: Number }) @Expose() productCount!: number;
}

/** GET /home — featured products, categories and, for a known user, a summary. */
export class HomeDto {
  @ApiProperty({ type: () => [ProductCardDto] })
  @Expose()
  @Type(() => ProductCardDto)
  featured!: ProductCardDto[];
  @ApiProperty({ type: () => [CategoryDto] })
  @Expose()
  @Type(() => CategoryDto)
  categories!: CategoryDto[];
  @ApiPropertyOptional({ type: () => UserSummaryDto })
  @Expose()
  @Type(() => UserSummaryDto)
  user?: UserSummaryDto;
  @ApiProperty({ type: () => MetaDto }) @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
