import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse } from '@nestjs/swagger';
import { AuditQuery, Roles, Scopes } from '@app/auth';
import { AuditFieldChangeDto, AuditPageDto, AuditQueryDto } from './audit.dto';

/**
 * The audit trail read back: who changed what, when, from where and why. Auditors and admins,
 * with a token delegated to read it. Reading is not audited (GET).
 */
@Controller('audit')
@Roles('auditor', 'admin')
@Scopes('audit:read')
@ApiExtraModels(AuditFieldChangeDto)
export class AuditController {
  constructor(private readonly audit: AuditQuery) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiOkResponse({ type: AuditPageDto })
  list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.audit.find(
      {
        actor: query.actor,
        action: query.action,
        resource: query.resource,
        from: query.from === undefined ? undefined : Date.parse(query.from),
        to: query.to === undefined ? undefined : Date.parse(query.to),
      },
      query.limit ?? 50,
      query.cursor,
    ) as Promise<AuditPageDto>;
  }
}
