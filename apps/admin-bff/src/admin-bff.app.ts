import type { BffConfig } from '@app/config';
import { createPlatformApp } from '@app/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AdminBffModule } from './admin-bff.module';
import { ADMIN_BFF_OPENAPI } from './admin-bff.openapi';

/** Builds the admin BFF (used by main.ts and by end-to-end tests). */
export function createAdminBff(config: BffConfig): Promise<NestFastifyApplication> {
  return createPlatformApp(AdminBffModule.forRoot(config), {
    app: 'admin-bff',
    config,
    openApi: ADMIN_BFF_OPENAPI,
    // Lists of 50 orders are ~47 KB of JSON.
    compression: true,
    // CORS with credentials for ADMIN_SPA_ORIGINS only.
    spaCors: config.adminSession,
  });
}
