import type { Principal } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';
import { InsufficientScopeError } from './auth.errors';
import { answerDespiteOwnRevocation } from './revocation.hook';
import type { RevocationStore } from './revocation.store';

/** The answer of `POST /auth/logout-everywhere` (web and mobile). */
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

/** Revokes everything of the calling user issued up to now, on every instance. */
export async function logOutEverywhere(
  revocations: RevocationStore,
  principal: Principal,
): Promise<LogoutEverywhereDto> {
  // An API key is a client, not a user: clients are revoked through the admin API.
  if (principal.kind === 'api-key') throw new InsufficientScopeError('Only users can log out');
  // The caller's own token is among those revoked: this answer still goes out.
  answerDespiteOwnRevocation();
  const { entry, shared } = await revocations.revokeSubject(
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
