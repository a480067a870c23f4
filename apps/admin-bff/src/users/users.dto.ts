import { Expose, Type, Type as TransformType } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MetaDto, MoneyDto, PageInfoDto } from '../admin.dto';

export class UserSearchQueryDto {
  /** Case-insensitive match on name or email. */
  @IsOptional() @IsString() @MaxLength(100) q?: string;
  @IsOptional() @TransformType(() => Number) @IsInt() @Min(1) @Max(10_000) page?: number;
  @IsOptional() @TransformType(() => Number) @IsInt() @Min(1) @Max(100) pageSize?: number;
}

export class OrderStatsDto {
  @Expose() count!: number;
  @Expose() @Type(() => MoneyDto) totalSpent!: MoneyDto;
  @Expose() lastOrderAt!: string | null;
}

export class AdminUserDto {
  @Expose() id!: string;
  @Expose() email!: string;
  @Expose() firstName!: string;
  @Expose() lastName!: string;
  @Expose() displayName!: string;
  @Expose() tier!: string;
  @Expose() country!: string;
  @Expose() status!: string;
  @Expose() createdAt!: string;
  @Expose() lastLoginAt!: string;
  @Expose() marketingOptIn!: boolean;
  @Expose() riskScore!: number;
  @Expose() internalNotes!: string;
  /** Absent when the orders service failed (see meta.partial). */
  @Expose() @Type(() => OrderStatsDto) orders?: OrderStatsDto;
}

/** GET /users — a page of users with their order statistics. */
export class UserListDto {
  @Expose() @Type(() => AdminUserDto) items!: AdminUserDto[];
  @Expose() @Type(() => PageInfoDto) pageInfo!: PageInfoDto;
  @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
