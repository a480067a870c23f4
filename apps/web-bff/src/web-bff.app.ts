import type { BffConfig } from '@app/config';
import { createBffApp } from '@app/core';
import { spaCorsOptions } from '@app/session';
import fastifyCors from '@fastify/cors';
import { setupOpenApi } from '@app/routing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { WebBffModule } from './web-bff.module';
import { WEB_BFF_OPENAPI } from './web-bff.openapi';

/** Builds the web BFF (used by main.ts and by end-to-end tests). */
export async function createWebBff(config: BffConfig): Promise<NestFastifyApplication> {
  const app = await createBffApp(WebBffModule.forRoot(config), { config });
  // CORS of the web BFF: credentials (the session cookie) only for the configured SPA origins.
  await app.register(fastifyCors, spaCorsOptions(config.session));
  if (config.routing.docsEnabled) setupOpenApi(app, WEB_BFF_OPENAPI);
  return app;
}
