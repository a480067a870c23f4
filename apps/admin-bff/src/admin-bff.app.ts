import type { BffConfig } from '@app/config';
import { createBffApp } from '@app/core';
import { setupOpenApi } from '@app/routing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AdminBffModule } from './admin-bff.module';
import { ADMIN_BFF_OPENAPI } from './admin-bff.openapi';

/** Builds the admin BFF (used by main.ts and by end-to-end tests). */
export async function createAdminBff(config: BffConfig): Promise<NestFastifyApplication> {
  const app = await createBffApp(AdminBffModule.forRoot(config), { config });
  if (config.routing.docsEnabled) setupOpenApi(app, ADMIN_BFF_OPENAPI);
  return app;
}
