import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * A lib that must take part in building the app (structured logger, Fastify hooks) without core
 * depending on it provides this under {@link BFF_APP_SETUP}. createBffApp calls every one it finds
 * once, after its own request-context hook (so `request.bffContext` exists in theirs) and before
 * the app listens.
 */
export interface BffAppSetup {
  setup(app: NestFastifyApplication): void;
}

export const BFF_APP_SETUP = Symbol('BffAppSetup');

/** Every {@link BffAppSetup} provided anywhere in the app (none is fine: fixture apps). */
export function findAppSetups(app: INestApplication): BffAppSetup[] {
  try {
    return app.get<BffAppSetup, BffAppSetup>(BFF_APP_SETUP, { each: true, strict: false });
  } catch {
    // Nest throws UnknownElementException when no module provides the token.
    return [];
  }
}
