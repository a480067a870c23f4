import type { BffConfig } from '@app/config';
import { createPlatformApp } from '@app/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { WebBffModule } from './web-bff.module';
import { WEB_BFF_OPENAPI } from './web-bff.openapi';

/** Builds the web BFF (used by main.ts and by end-to-end tests). */
export function createWebBff(config: BffConfig): Promise<NestFastifyApplication> {
  return createPlatformApp(WebBffModule.forRoot(config), {
    app: 'web-bff',
    config,
    openApi: WEB_BFF_OPENAPI,
    // CORS of the web BFF: credentials (the session cookie) only for the configured SPA origins.
    spaCors: true,
    // br/gzip as on mobile: list pages are tens of KB of JSON.
    compression: true,
  });
}
