import { Expose, Type } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';
import { MetaDto, MoneyDto, ProductCardDto } from '../common.dto';

export class HomeQueryDto {
  /** Until the auth issue lands, the signed-in user is named by the query. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'userId must be a plain id' })
  userId?: string;
}

export class RecentOrderDto {
  @Expose() id!: string;
  @Expose() status!: string;
  @Expose() createdAt!: string;
  @Expose() @Type(() => MoneyDto) total!: MoneyDto;
}

export class UserSummaryDto {
  @Expose() id!: string;
  @Expose() displayName!: string;
  @Expose() avatarUrl!: string;
  @Expose() tier!: string;
  @Expose() @Type(() => RecentOrderDto) recentOrders!: RecentOrderDto[];
}

export class CategoryDto {
  @Expose() id!: string;
  @Expose() name!: string;
  @Expose() productCount!: number;
}

/** GET /home — featured products, categories and, for a known user, a summary. */
export class HomeDto {
  @Expose() @Type(() => ProductCardDto) featured!: ProductCardDto[];
  @Expose() @Type(() => CategoryDto) categories!: CategoryDto[];
  @Expose() @Type(() => UserSummaryDto) user?: UserSummaryDto;
  @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
