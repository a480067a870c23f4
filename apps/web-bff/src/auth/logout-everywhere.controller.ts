import { Controller, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import {
  Authenticated,
  CurrentPrincipal,
  LogoutEverywhereDto,
  RevocationStore,
  logOutEverywhere,
} from '@app/auth';
import type { Principal } from '@app/core';
import { SessionService, endRequestSession } from '@app/session';
import type { FastifyReply, FastifyRequest } from 'fastify';

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
    const answer = await logOutEverywhere(this.revocations, principal);
    // This browser's session ends now; the others at their next request, on any instance.
    await endRequestSession(this.sessions, request, reply);
    return answer;
  }
}
