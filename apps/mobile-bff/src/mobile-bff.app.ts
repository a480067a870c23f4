import type { BffConfig } from '@app/config';
import { createBffApp } from '@app/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MobileBffModule } from './mobile-bff.module';

/** Builds the mobile BFF; unversioned controllers answer under `/v1`. */
export function createMobileBff(config: BffConfig): Promise<NestFastifyApplication> {
  return createBffApp(MobileBffModule.forRoot(config), {
    config,
    uriVersioning: { defaultVersion: '1' },
  });
}
