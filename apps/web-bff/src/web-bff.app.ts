import type { BffConfig } from '@app/config';
import { createBffApp } from '@app/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { WebBffModule } from './web-bff.module';

/** Builds the web BFF (used by main.ts and by end-to-end tests). */
export function createWebBff(config: BffConfig): Promise<NestFastifyApplication> {
  return createBffApp(WebBffModule.forRoot(config), { config });
}
