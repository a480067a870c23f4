import type { FieldMiddleware, MiddlewareContext, NextFn } from '@nestjs/graphql';
import type { GraphqlContext } from './graphql.context';
import { GraphqlForbiddenError, GraphqlUnauthenticatedError } from './graphql.errors';

/** Who may read a field: any of `roles` (when given) and every one of `scopes`. */
export interface FieldRule {
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
}

/**
 * Field middleware for `@Field({ middleware: [allow({ roles: ['admin'] })] })` or
 * `@ResolveField`: the field is null with UNAUTHENTICATED for anonymous callers and FORBIDDEN for
 * callers without the roles or scopes; the rest of the answer is unaffected. The HTTP edge only
 * verifies who calls (`/graphql` is public): what they may read is decided field by field.
 */
export function allow(rule: FieldRule): FieldMiddleware {
  const roles = rule.roles ?? [];
  const scopes = rule.scopes ?? [];
  return (ctx: MiddlewareContext<unknown, GraphqlContext>, next: NextFn) => {
    const principal = ctx.context.bff.principal;
    if (principal === undefined)
      throw new GraphqlUnauthenticatedError('Sign in to read this field');
    if (roles.length > 0 && !roles.some((r) => principal.roles.includes(r))) {
      throw new GraphqlForbiddenError(`Requires one of the roles: ${roles.join(', ')}`);
    }
    const missing = scopes.filter((s) => !principal.scopes.includes(s));
    if (missing.length > 0) {
      throw new GraphqlForbiddenError(`Requires the scopes: ${scopes.join(' ')}`);
    }
    return next();
  };
}
