import type { BffAppSetup } from '@app/core';
import { Injectable } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { nestLoggerFor } from './structured.logger';
import { Telemetry } from './telemetry.service';

/** Called by createBffApp: pino replaces Nest's console logger, telemetry hooks join Fastify's. */
@Injectable()
export class ObservabilitySetup implements BffAppSetup {
  constructor(private readonly telemetry: Telemetry) {}

  setup(app: NestFastifyApplication): void {
    app.useLogger(nestLoggerFor(this.telemetry.logger));
    this.telemetry.install(app.getHttpAdapter().getInstance());
  }
}
