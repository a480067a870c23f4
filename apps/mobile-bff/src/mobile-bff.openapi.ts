import type { OpenApiInfo } from '@app/platform';

/** What the mobile BFF's OpenAPI document (`/docs`, apps/mobile-bff/openapi.json) says about itself. */
export const MOBILE_BFF_OPENAPI: OpenApiInfo = {
  title: 'mobile-bff',
  description:
    'Backend-for-Frontend of the mobile app: compact, versioned payloads. Versions by URI (`/v1`, `/v2`) ' +
    'or media type (`Accept: application/vnd.mobile.v2+json`); `?fields=` sparse fieldsets; ' +
    'gzip/brotli; `X-App-Version` below the minimum gets 426.',
  version: '2.0.0',
};
