import type { OpenApiInfo } from '@app/platform';

/** What the web BFF's OpenAPI document (`/docs`, apps/web-bff/openapi.json) says about itself. */
export const WEB_BFF_OPENAPI: OpenApiInfo = {
  title: 'web-bff',
  description:
    'Backend-for-Frontend of the web SPA: rich pages aggregated from the catalog, inventory, reviews, orders and users services.',
  version: '1.0.0',
};
