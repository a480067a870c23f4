import type { AuthConfig } from '@app/config';

/** Options of {@link AuthModule.forRoot}. */
export interface AuthModuleOptions {
  /** The `aud` this BFF requires of bearer tokens (e.g. `config.auth.audiences['web-bff']`). */
  audience: string;
  /** `realm` of `WWW-Authenticate` challenges; defaults to the audience. */
  realm?: string;
  /**
   * Roles required on every authenticated route that declares no `@Roles()` of its own
   * (admin-bff: `['admin']`), so a new controller is closed by default.
   */
  defaultRoles?: readonly string[];
  /** Record every mutating request in the audit trail (admin-bff). */
  audit?: boolean;
  /** Overrides `config.auth` (tests). */
  config?: AuthConfig;
}

export const AUTH_OPTIONS = Symbol('AuthModuleOptions');

/** Options after defaults, as the providers see them. */
export interface ResolvedAuthOptions {
  readonly audience: string;
  readonly realm: string;
  readonly defaultRoles: readonly string[];
  readonly audit: boolean;
  readonly config: AuthConfig;
}
