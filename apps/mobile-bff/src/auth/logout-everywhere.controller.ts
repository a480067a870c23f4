import { Controller, Header, HttpCode, Post, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import {
  Authenticated,
  CurrentPrincipal,
  LogoutEverywhereDto,
  RevocationStore,
  logOutEverywhere,
} from '@app/auth';
import type { Principal } from '@app/core';

/** "Log out everywhere" (bearer): every token of the caller issued up to now is refused. */
// Not versioned: a session-level action, the same for every app version.
@Controller({ path: 'auth', version: VERSION_NEUTRAL })
export class LogoutEverywhereController {
  constructor(private readonly revocations: RevocationStore) {}

  @Post('logout-everywhere')
  @Authenticated()
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ApiOkResponse({ type: LogoutEverywhereDto })
  logoutEverywhere(@CurrentPrincipal() principal: Principal): Promise<LogoutEverywhereDto> {
    return logOutEverywhere(this.revocations, principal);
  }
}
