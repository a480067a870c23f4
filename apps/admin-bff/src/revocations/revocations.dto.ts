import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Type } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageInfoDto, PageQueryDto } from '../admin.dto';

const KINDS = ['token', 'subject', 'client', 'session'] as const;
/** Printable ASCII, as token claims and API key client names are. */
const PRINTABLE = /^[\x21-\x7e]+$/;

/** `POST /revocations`: exactly one of `jti`, `token`, `subject`, `client`, and a reason. */
export class CreateRevocationDto {
  @ApiPropertyOptional({ type: String, description: 'Revoke the one token with this `jti`.' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @Matches(PRINTABLE)
  jti?: string;
  @ApiPropertyOptional({
    type: String,
    description: 'Revoke this token (one without `jti`); only its SHA-256 is kept.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(16_384)
  @Matches(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
  token?: string;
  @ApiPropertyOptional({
    type: String,
    description: 'Revoke every token and session of this `sub` issued up to now.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @Matches(PRINTABLE)
  subject?: string;
  @ApiPropertyOptional({
    type: String,
    description:
      'Revoke every token (`azp`/`client_id`) and API key of this client issued up to now.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @Matches(/^[A-Za-z0-9_.:/@-]+$/)
  client?: string;
  @ApiProperty({ type: String }) @IsString() @IsNotEmpty() @MaxLength(500) reason!: string;
}

export class RevocationListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: KINDS })
  @IsOptional()
  @IsIn(KINDS)
  kind?: (typeof KINDS)[number];
}

export class RevocationDto {
  @ApiProperty({ type: String }) @Expose() id!: string;
  @ApiProperty({ enum: KINDS }) @Expose() kind!: string;
  @ApiProperty({
    type: String,
    description:
      '`jti:<jti>` or `sha256:<hex>` (token), the subject, the client, or `sid:`/`sub:` (session: web sessions ended by back-channel logout).',
  })
  @Expose()
  value!: string;
  @ApiPropertyOptional({
    type: String,
    description: 'Subject and client: credentials issued up to this instant are revoked.',
  })
  @Expose()
  before?: string;
  @ApiProperty({ type: String }) @Expose() reason!: string;
  @ApiPropertyOptional({ type: String }) @Expose() by?: string;
  @ApiProperty({ type: String }) @Expose() createdAt!: string;
  @ApiProperty({ type: String }) @Expose() expiresAt!: string;
}

export class CreatedRevocationDto extends RevocationDto {
  @ApiProperty({
    type: Boolean,
    description: 'False while only this instance knows it (Redis down); it is retried.',
  })
  @Expose()
  shared!: boolean;
}

export class RevocationListDto {
  @ApiProperty({ type: () => [RevocationDto] })
  @Expose()
  @Type(() => RevocationDto)
  items!: RevocationDto[];
  @ApiProperty({ type: () => PageInfoDto })
  @Expose()
  @Type(() => PageInfoDto)
  pageInfo!: PageInfoDto;
}
