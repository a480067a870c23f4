import { type ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { PUBLIC_METADATA, type Principal, type PublicMode } from '@app/core';
import type { FastifyRequest } from 'fastify';

export const ROLES_METADATA = 'bff:auth:roles';
export const SCOPES_METADATA = 'bff:auth:scopes';
export const AUTHENTICATED_METADATA = 'bff:auth:authenticated';

/** The caller needs at least one of these roles (method-level wins over controller-level). */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_METADATA, roles);

/** The caller's token must carry every one of these scopes (403 `insufficient_scope` otherwise). */
export const Scopes = (...scopes: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(SCOPES_METADATA, scopes);

/**
 * Any verified caller may call the route; the handler decides what it may see (e.g. an order's
 * owner or staff, `assertOwnerOrPrivileged`). Declares the route's authorization as explicitly as
 * `@Public()`, `@Roles()` and `@Scopes()` do: a route with none of them is refused by the route
 * walk test (default deny).
 */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  SetMetadata(AUTHENTICATED_METADATA, true);

/** Injects the verified caller (undefined on an anonymous call of an optional-auth route). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | undefined =>
    context.switchToHttp().getRequest<FastifyRequest>().bffContext.principal,
);

/** What a handler's decorators say about who may call it (method-level wins over class-level). */
export interface DeclaredAuthorization {
  /** `@Public()` (`anonymous`), `@Public({ optionalAuth: true })` (`optional`), else `required`. */
  readonly mode: PublicMode | 'required';
  /** `@Roles()`, undefined when not declared (the module's `defaultRoles` then apply). */
  readonly roles: readonly string[] | undefined;
  /** `@Scopes()`, empty when not declared. */
  readonly scopes: readonly string[];
  /** True when the route says who may call it: public, authenticated, roles or scopes. */
  readonly declared: boolean;
}

/** Reads the authorization declared on a handler and its controller (the guard reads the same). */
export function declaredAuthorization(
  reflector: Reflector,
  handler: object,
  controller: object,
): DeclaredAuthorization {
  const targets = [handler, controller] as Parameters<Reflector['getAllAndOverride']>[1];
  const publicMode = reflector.getAllAndOverride<PublicMode | undefined>(PUBLIC_METADATA, targets);
  const roles = reflector.getAllAndOverride<string[] | undefined>(ROLES_METADATA, targets);
  const scopes = reflector.getAllAndOverride<string[] | undefined>(SCOPES_METADATA, targets) ?? [];
  const authenticated =
    reflector.getAllAndOverride<boolean | undefined>(AUTHENTICATED_METADATA, targets) === true;
  return {
    mode: publicMode ?? 'required',
    roles,
    scopes,
    declared:
      publicMode !== undefined ||
      authenticated ||
      (roles !== undefined && roles.length > 0) ||
      scopes.length > 0,
  };
}
