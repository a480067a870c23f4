import { type ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { Principal } from '@app/core';
import type { FastifyRequest } from 'fastify';

export const ROLES_METADATA = 'bff:auth:roles';
export const SCOPES_METADATA = 'bff:auth:scopes';

/** The caller needs at least one of these roles (method-level wins over controller-level). */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_METADATA, roles);

/** The caller's token must carry every one of these scopes. */
export const Scopes = (...scopes: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(SCOPES_METADATA, scopes);

/** Injects the verified caller (undefined on an anonymous call of an optional-auth route). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | undefined =>
    context.switchToHttp().getRequest<FastifyRequest>().bffContext.principal,
);
