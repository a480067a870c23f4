import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Type } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { MetaDto, MoneyDto, PageInfoDto, PageQueryDto } from '../admin.dto';

export class UserSearchQueryDto extends PageQueryDto {
  /** Case-insensitive match on name or email. */
  @ApiPropertyOptional({ type: String, description: 'Case-insensitive match on name or email.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class OrderStatsDto {
  @ApiProperty({ type: Number }) @Expose() count!: number;
  @ApiProperty({ type: () => MoneyDto }) @Expose() @Type(() => MoneyDto) totalSpent!: MoneyDto;
  @ApiProperty({ type: String, nullable: true }) @Expose() lastOrderAt!: string | null;
}

export class AdminUserDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ type: String }) @Expose() email!: string;
  @ApiProperty({ type: String }) @Expose() firstName!: string;
  @ApiProperty({ type: String }) @Expose() lastName!: string;
  @ApiProperty({ type: String }) @Expose() displayName!: string;
  @ApiProperty({ type: String }) @Expose() tier!: string;
  @ApiProperty({ type: String }) @Expose() country!: string;
  @ApiProperty({ type: String }) @Expose() status!: string;
  @ApiProperty({ type: String }) @Expose() createdAt!: string;
  @ApiProperty({ type: String }) @Expose() lastLoginAt!: string;
  @ApiProperty({ type: Boolean }) @Expose() marketingOptIn!: boolean;
  @ApiProperty({ type: Number }) @Expose() riskScore!: number;
  @ApiProperty({ type: String }) @Expose() internalNotes!: string;
  /** Absent when the orders service failed (see meta.partial). */
  @ApiPropertyOptional({
    type: () => OrderStatsDto,
    description: 'Absent when the orders service failed (see meta.partial).',
  })
  @Expose()
  @Type(() => OrderStatsDto)
  orders?: OrderStatsDto;
}

/** GET /users — a page of users with their order statistics. */
export class UserListDto {
  @ApiProperty({ type: () => [AdminUserDto] })
  @Expose()
  @Type(() => AdminUserDto)
  items!: AdminUserDto[];
  @ApiProperty({ type: () => PageInfoDto })
  @Expose()
  @Type(() => PageInfoDto)
  pageInfo!: PageInfoDto;
  @ApiProperty({ type: () => MetaDto }) @Expose() @Type(() => MetaDto) meta!: MetaDto;
}
