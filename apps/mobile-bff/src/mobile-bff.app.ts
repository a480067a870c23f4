import type { BffConfig } from '@app/config';
import { createBffApp } from '@app/core';
import { applyCompression, applySecurityHeaders, loadRouteTable, setupOpenApi } from '@app/routing';
import { ApiVersioning, minAppVersionHook } from '@app/shaping';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MobileBffModule } from './mobile-bff.module';
import { MOBILE_BFF_OPENAPI } from './mobile-bff.openapi';

/**
 * Builds the mobile BFF; unversioned controllers answer under `/v1`. Versions are chosen by URI
 * (`/v2/...`) or media type (`Accept: application/vnd.mobile.v2+json`); old apps get 426.
 */
export async function createMobileBff(config: BffConfig): Promise<NestFastifyApplication> {
  const routes = loadRouteTable(config.routing.routesFiles['mobile-bff'], config);
  const versioning = new ApiVersioning({
    vendor: 'mobile',
    versions: ['1', '2'],
    unversionedPrefixes: routes.map((r) => r.prefix),
  });
  const app = await createBffApp(MobileBffModule.forRoot(config), {
    config,
    uriVersioning: { defaultVersion: '1' },
    rewriteUrl: versioning.rewriteUrl,
  });
  const fastify = app.getHttpAdapter().getInstance();
  versioning.install(fastify);
  if (config.routing.mobileMinAppVersion !== undefined) {
    fastify.addHook('onRequest', minAppVersionHook(config.routing.mobileMinAppVersion));
  }
  await applyCompression(app);
  await applySecurityHeaders(app);
  if (config.routing.docsEnabled) setupOpenApi(app, MOBILE_BFF_OPENAPI);
  return app;
}
