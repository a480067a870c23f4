import { SetMetadata } from '@nestjs/common';

export const PUBLIC_METADATA = 'bff:auth:public';

/** How a route treats credentials; read by the auth guard of @app/auth. */
export type PublicMode = 'anonymous' | 'optional';

/**
 * Marks a route (or controller) as reachable without credentials. Lives in core so that
 * infrastructure routes (health, metrics, docs) can be public without depending on @app/auth.
 * - `@Public()`: credentials are ignored (health, metrics, docs).
 * - `@Public({ optionalAuth: true })`: anonymous callers pass, a presented credential must be valid
 *   and becomes the request's principal (pages that personalise when signed in).
 */
export const Public = (
  options: { optionalAuth?: boolean } = {},
): MethodDecorator & ClassDecorator =>
  SetMetadata<string, PublicMode>(
    PUBLIC_METADATA,
    options.optionalAuth === true ? 'optional' : 'anonymous',
  );
