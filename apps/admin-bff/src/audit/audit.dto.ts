import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** Printable ASCII without spaces, as subjects, action names and resource names are. */
const NAME = /^[\x21-\x7e]+$/;

/** `GET /audit`: every given filter must match; newest first. */
export class AuditQueryDto {
  @ApiPropertyOptional({
    type: String,
    description: "The actor's subject (`sub`, API key client).",
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  @Matches(NAME)
  actor?: string;
  @ApiPropertyOptional({
    type: String,
    description: 'Action, e.g. `order.status.change`, or `<METHOD> <route>` for unnamed routes.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  action?: string;
  @ApiPropertyOptional({ type: String, description: 'Resource, e.g. `order/ord_00001`.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @Matches(NAME)
  resource?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'From (inclusive).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'To (inclusive).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
  @ApiPropertyOptional({ type: String, description: '`nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class AuditActorDto {
  @ApiProperty({ type: String }) subject!: string;
  @ApiProperty({ enum: ['user', 'api-key', 'service'] }) kind!: string;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiPropertyOptional({ type: String }) clientName?: string;
}

export class AuditFieldChangeDto {
  @ApiProperty({ description: 'Value before the change (null when unknown).' }) before!: unknown;
  @ApiProperty({ description: 'Value after the change.' }) after!: unknown;
}

export class AuditRecordDto {
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
  @ApiPropertyOptional({ type: String }) requestId?: string;
  @ApiProperty({ type: () => AuditActorDto, nullable: true }) actor!: AuditActorDto | null;
  @ApiProperty({ type: String }) action!: string;
  @ApiProperty({ type: String }) resource!: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/AuditFieldChangeDto' },
    description: 'Fields the change touched (successful changes only).',
  })
  changes?: Record<string, AuditFieldChangeDto>;
  @ApiPropertyOptional({ type: String }) reason?: string;
  @ApiProperty({ type: String }) clientIp!: string;
  @ApiProperty({ type: String }) method!: string;
  @ApiPropertyOptional({ type: String }) route?: string;
  @ApiProperty({ type: String }) path!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  target!: Record<string, string>;
  @ApiProperty({ type: Number }) status!: number;
  @ApiProperty({ enum: ['success', 'denied', 'rejected', 'failed'] }) outcome!: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditRecordDto] }) items!: AuditRecordDto[];
  @ApiPropertyOptional({ type: String, description: 'Absent on the last page.' })
  nextCursor?: string;
  @ApiProperty({ enum: ['file', 'redis-stream'] }) source!: string;
}
