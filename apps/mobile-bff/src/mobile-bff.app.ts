import type { BffConfig } from '@app/config';
import { createPlatformApp } from '@app/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MobileBffModule } from './mobile-bff.module';
import { MOBILE_BFF_OPENAPI } from './mobile-bff.openapi';

/**
 * Builds the mobile BFF; unversioned controllers answer under `/v1`. Versions are chosen by URI
 * (`/v2/...`) or media type (`Accept: application/vnd.mobile.v2+json`); old apps get 426.
 */
export function createMobileBff(config: BffConfig): Promise<NestFastifyApplication> {
  return createPlatformApp(MobileBffModule.forRoot(config), {
    app: 'mobile-bff',
    config,
    openApi: MOBILE_BFF_OPENAPI,
    versioning: {
      vendor: 'mobile',
      versions: ['1', '2'],
      defaultVersion: '1',
      minAppVersion: config.routing.mobileMinAppVersion,
    },
    compression: true,
  });
}
