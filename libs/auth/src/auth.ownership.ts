import type { Principal } from '@app/core';
import { NotOwnerError } from './auth.errors';

/** Roles that may see every user's resources (read access for support staff). */
export const PRIVILEGED_ROLES: readonly string[] = ['support', 'admin'];

/**
 * Per-user resources (orders...): the owner, or a caller with a privileged role. Throws
 * {@link NotOwnerError} (a 404) otherwise.
 */
export function assertOwnerOrPrivileged(
  principal: Principal | undefined,
  ownerId: string,
  privileged: readonly string[] = PRIVILEGED_ROLES,
): void {
  if (principal === undefined) throw new NotOwnerError();
  if (principal.kind === 'user' && principal.subject === ownerId) return;
  if (principal.roles.some((r) => privileged.includes(r))) return;
  throw new NotOwnerError();
}

/** The signed-in end user's id, or undefined for anonymous callers, services and API keys. */
export function userIdOf(principal: Principal | undefined): string | undefined {
  return principal?.kind === 'user' ? principal.subject : undefined;
}
