import type { BffAppName, BffConfig } from '@app/config';
import { createBffApp } from '@app/core';
import { applyCompression, loadRouteTable } from '@app/routing';
import { type OpenApiInfo, setupOpenApi } from './openapi';
import { ApiVersioning, minAppVersionHook, type ApiVersioningOptions } from '@app/shaping';
import { spaCorsOptions } from '@app/session';
import fastifyCors from '@fastify/cors';
import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** What differs between BFFs when the app is built (the module's part is `BffPlatformOptions`). */
export interface BffPlatformAppOptions {
  app: BffAppName;
  config: BffConfig;
  /** Served at `/docs` when `config.routing.docsEnabled`. */
  openApi: OpenApiInfo;
  /**
   * Versioned endpoints (mobile-bff): by URI (`/v2/...`) or media type
   * (`Accept: application/vnd.<vendor>.v2+json`); unversioned controllers answer under
   * `defaultVersion`, declarative routes stay unversioned. `minAppVersion` answers old apps 426.
   */
  versioning?: Omit<ApiVersioningOptions, 'unversionedPrefixes'> & {
    defaultVersion: string;
    minAppVersion?: string;
  };
  /** CORS with credentials for the configured SPA origins (web-bff, with its sessions). */
  spaCors?: boolean;
  /** gzip/brotli responses above 1 KiB, never for event streams or encoded bodies (web, mobile). */
  compression?: boolean;
}

/** Builds a BFF on Fastify from its module (used by each app's main.ts and by end-to-end tests). */
export async function createPlatformApp(
  module: DynamicModule,
  options: BffPlatformAppOptions,
): Promise<NestFastifyApplication> {
  const { config, versioning } = options;
  // Declarative routes keep their own paths: no version prefix.
  const api =
    versioning === undefined
      ? undefined
      : new ApiVersioning({
          vendor: versioning.vendor,
          versions: versioning.versions,
          deprecated: versioning.deprecated,
          unversionedPrefixes: loadRouteTable(config.routing.routesFiles[options.app], config).map(
            (r) => r.prefix,
          ),
        });
  const app = await createBffApp(module, {
    config,
    ...(versioning === undefined || api === undefined
      ? {}
      : {
          uriVersioning: { defaultVersion: versioning.defaultVersion },
          rewriteUrl: api.rewriteUrl,
        }),
  });
  if (versioning !== undefined && api !== undefined) {
    const fastify = app.getHttpAdapter().getInstance();
    api.install(fastify);
    if (versioning.minAppVersion !== undefined) {
      fastify.addHook('onRequest', minAppVersionHook(versioning.minAppVersion));
    }
  }
  if (options.spaCors === true) await app.register(fastifyCors, spaCorsOptions(config.session));
  if (options.compression === true) await applyCompression(app);
  if (config.routing.docsEnabled) setupOpenApi(app, options.openApi);
  return app;
}
