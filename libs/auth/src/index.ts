export { AuthModule } from './auth.module';
export type { AuthModuleOptions } from './auth.options';
export { BffAuthGuard } from './auth.guard';
export {
  Roles,
  Scopes,
  Authenticated,
  CurrentPrincipal,
  declaredAuthorization,
} from './auth.decorators';
export { Public } from '@app/core';
export { InsufficientScopeError } from './auth.errors';
export { RevocationStore } from './revocation.store';
export { LogoutEverywhereDto, logOutEverywhere } from './logout-everywhere';
export type { RevocationEntry, RevocationResult } from './revocation.store';
export { assertOwnerOrPrivileged, userIdOf } from './auth.ownership';
export { generateApiKey, hashApiKey, newApiKeyRecord } from './api-key.store';
export { runApiKeyCli } from './api-key.cli';
export { AuditAction, recordAuditChange } from './audit.change';
export type { AuditChange } from './audit.change';
export { AuditQuery, InvalidAuditCursorError } from './audit.query';
export type { AuditFilter, AuditPage } from './audit.query';
export type { AuditRecord, AuditFieldChange } from './audit.trail';
