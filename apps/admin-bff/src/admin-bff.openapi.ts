import type { OpenApiInfo } from '@app/platform';

/** What the admin BFF's OpenAPI document (`/docs`, apps/admin-bff/openapi.json) says about itself. */
export const ADMIN_BFF_OPENAPI: OpenApiInfo = {
  title: 'admin-bff',
  description:
    'Backend-for-Frontend of the admin panel: full detail, internal fields, order status changes.',
  version: '1.0.0',
  // As AdminBffModule's AuthModule options: routes that declare no roles need `admin`.
  defaultRoles: ['admin'],
};
