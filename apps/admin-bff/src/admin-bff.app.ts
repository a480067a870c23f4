import type { BffConfig } from '@app/config';
import { createBffApp } from '@app/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AdminBffModule } from './admin-bff.module';

/** Builds the admin BFF (used by main.ts and by end-to-end tests). */
export function createAdminBff(config: BffConfig): Promise<NestFastifyApplication> {
  return createBffApp(AdminBffModule.forRoot(config), { config });
}
