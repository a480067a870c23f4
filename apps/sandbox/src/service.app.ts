import Fastify, { FastifyInstance } from 'fastify';
import { installFaultHooks } from './fault.hooks';
import type { FaultRegistry } from './faults';
import { installErrorHandling } from './http.util';
import type { RequestRecorder } from './request.recorder';
import type { SandboxServiceName } from './sandbox.types';

export interface BaseAppOptions {
  /** Name in logs and in `/health`. */
  name: string;
  logger: boolean;
}

/** A bare Fastify app with the sandbox's error format and a `/health` route. */
export function createBaseApp({ name, logger }: BaseAppOptions): FastifyInstance {
  const app = Fastify({
    logger: logger ? { level: 'info', base: { service: name } } : false,
    // Ids are short; bounding params and bodies keeps junk input cheap.
    routerOptions: { maxParamLength: 100 },
    bodyLimit: 64 * 1024,
    // close() must not wait for keep-alive clients (jest, benchmarks).
    forceCloseConnections: true,
  });
  installErrorHandling(app);
  app.get('/health', async () => ({ status: 'ok', service: name }));
  return app;
}

export interface ServiceAppOptions {
  service: SandboxServiceName;
  logger: boolean;
  faults: FaultRegistry;
  recorder: RequestRecorder;
  random?: () => number;
}

/** A downstream service app: base app plus request recording and fault injection. */
export function createServiceApp(options: ServiceAppOptions): FastifyInstance {
  const app = createBaseApp({ name: options.service, logger: options.logger });
  installFaultHooks(app, options);
  return app;
}
