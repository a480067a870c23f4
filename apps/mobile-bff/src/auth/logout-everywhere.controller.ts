import { Controller, Header, HttpCode, Post, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiProperty } from '@nestjs/swagger';
import {
  Authenticated,
  CurrentPrincipal,
  InsufficientScopeError,
  RevocationStore,
} from '@app/auth';
import type { Principal } from '@app/core';

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
  async logoutEverywhere(@CurrentPrincipal() principal: Principal): Promise<LogoutEverywhereDto> {
    // An API key is a client, not a user: clients are revoked through the admin API.
    if (principal.kind === 'api-key') throw new InsufficientScopeError('Only users can log out');
    const { entry, shared } = await this.revocations.revokeSubject(
      principal.subject,
      'logout everywhere',
      principal.subject,
    );
    return {
      loggedOut: true,
      revokedBefore: new Date(entry.before ?? Date.now()).toISOString(),
      shared,
    };
  }
}
