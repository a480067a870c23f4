import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  type RevocationEntry,
  type RevocationResult,
  RevocationStore,
  Roles,
  Scopes,
} from '@app/auth';
import { IdParamPipe, type Principal } from '@app/core';
import {
  CreateRevocationDto,
  CreatedRevocationDto,
  RevocationDto,
  RevocationListDto,
  RevocationListQueryDto,
} from './revocations.dto';

function toDto(entry: RevocationEntry): RevocationDto {
  return {
    id: entry.id,
    kind: entry.kind,
    value: entry.value,
    ...(entry.before === undefined ? {} : { before: new Date(entry.before).toISOString() }),
    reason: entry.reason,
    ...(entry.by === undefined ? {} : { by: entry.by }),
    createdAt: entry.createdAt,
    expiresAt: new Date(entry.expiresAt).toISOString(),
  };
}

/**
 * Token, subject and client revocation (Kong's consumer revocation, Duende's server-side session
 * revocation): every BFF instance refuses a revoked credential within a second. Admin only, with a
 * token delegated to revoke; every mutation is in the audit trail.
 */
@Controller('revocations')
@Roles('admin')
@Scopes('tokens:revoke')
export class RevocationsController {
  constructor(private readonly revocations: RevocationStore) {}

  @Post()
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  @ApiCreatedResponse({ type: CreatedRevocationDto })
  async create(
    @Body() body: CreateRevocationDto,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<CreatedRevocationDto> {
    const targets = (['jti', 'token', 'subject', 'client'] as const).filter(
      (k) => body[k] !== undefined,
    );
    if (targets.length !== 1) {
      throw new BadRequestException('Give exactly one of jti, token, subject or client');
    }
    const by = principal?.subject;
    const { reason } = body;
    let result: RevocationResult;
    if (body.jti !== undefined) {
      result = await this.revocations.revokeToken({ jti: body.jti }, reason, by);
    } else if (body.token !== undefined) {
      result = await this.revocations.revokeToken({ token: body.token }, reason, by);
    } else if (body.subject !== undefined) {
      // An unknown subject is no error: its future logins are unaffected, its past ones revoked.
      result = await this.revocations.revokeSubject(body.subject, reason, by);
    } else {
      result = await this.revocations.revokeClient(body.client as string, reason, by);
    }
    return { ...toDto(result.entry), shared: result.shared };
  }

  @Get()
  @Header('cache-control', 'no-store')
  @ApiOkResponse({ type: RevocationListDto })
  list(@Query() query: RevocationListQueryDto): RevocationListDto {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const all = this.revocations
      .list()
      .filter((e) => query.kind === undefined || e.kind === query.kind);
    return {
      items: all.slice((page - 1) * pageSize, page * pageSize).map(toDto),
      pageInfo: { page, pageSize, total: all.length, totalPages: Math.ceil(all.length / pageSize) },
    };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The revocation is withdrawn on every instance.' })
  async remove(@Param('id', IdParamPipe) id: string): Promise<void> {
    const { removed } = await this.revocations.remove(id);
    if (!removed) throw new NotFoundException('No such revocation');
  }
}
