import { Controller, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty } from '@nestjs/swagger';
import {
  Authenticated,
  CurrentPrincipal,
  InsufficientScopeError,
  RevocationStore,
} from '@app/auth';
import type { Principal } from '@app/core';
import { SessionService, endRequestSession } from '@app/session';
import type { FastifyReply, FastifyRequest } from 'fastify';

export class LogoutEverywhereDto {
  @ApiProperty({ type: Boolean }) loggedOut!: boolean;
  @ApiProperty({
    type: String,
    description: 'Tokens issued and sessions started up to this instant are revoked.',
  })
  revokedBefore!: string;
  @ApiProperty({
    type: Boolean,
    description: 'False while only this instance knows it (Redis down); it is retried.',
  })
  shared!: boolean;
}

/**
 * "Log out everywhere" (session cookie with `X-CSRF: 1`, or bearer token): every token of the
 * caller issued up to now is refused by every instance, and every session of theirs ends.
 */
@Controller('auth')
export class LogoutEverywhereController {
  constructor(
    private readonly revocations: RevocationStore,
    private readonly sessions: SessionService,
  ) {}

  @Post('logout-everywhere')
  @Authenticated()
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOkResponse({ type: LogoutEverywhereDto })
  async logoutEverywhere(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LogoutEverywhereDto> {
    // An API key is a client, not a user: clients are revoked through the admin API.
    if (principal.kind === 'api-key') throw new InsufficientScopeError('Only users can log out');
    const { entry, shared } = await this.revocations.revokeSubject(
      principal.subject,
      'logout everywhere',
      principal.subject,
    );
    // This browser's session ends now; the others at their next request, on any instance.
    await endRequestSession(this.sessions, request, reply);
    return {
      loggedOut: true,
      revokedBefore: new Date(entry.before ?? Date.now()).toISOString(),
      shared,
    };
  }
}
