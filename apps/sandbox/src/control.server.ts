import type { FastifyInstance } from 'fastify';
import { FaultRegistry, FaultSettings, FaultValidationError } from './faults';
import { HttpError, badRequest } from './http.util';
import type { RequestRecorder } from './request.recorder';
import { SANDBOX_SERVICES, SandboxServiceName, isSandboxService } from './sandbox.types';
import { createBaseApp } from './service.app';

export interface ControlServerOptions {
  faults: FaultRegistry;
  recorder: RequestRecorder;
  /** Resolves once every service's listener matches its outage setting. */
  settle: () => Promise<void>;
  logger: boolean;
}

function serviceParam(name: string): SandboxServiceName {
  if (!isSandboxService(name)) {
    throw badRequest(`unknown service "${name}" (known: ${SANDBOX_SERVICES.join(', ')})`);
  }
  return name;
}

/** Runs a fault change and maps validation failures to 400. */
function applyFaults<T>(change: () => T): T {
  try {
    return change();
  } catch (error) {
    if (error instanceof FaultValidationError)
      throw new HttpError(400, 'bad_request', error.message);
    throw error;
  }
}

/** The control API (never subject to faults): fault switches, hit counters, recorded requests. */
export function createControlServer({
  faults,
  recorder,
  settle,
  logger,
}: ControlServerOptions): FastifyInstance {
  const app = createBaseApp({ name: 'control', logger });
  const stats = (): Record<string, { hits: number }> =>
    Object.fromEntries(SANDBOX_SERVICES.map((name) => [name, { hits: recorder.hits(name) }]));

  app.get('/faults', async () => faults.getAll());

  app.put<{ Params: { service: string }; Body: unknown }>('/faults/:service', async (request) => {
    const service = serviceParam(request.params.service);
    const settings = applyFaults(() => faults.set(service, request.body as Partial<FaultSettings>));
    // Answer once an outage switch has really opened or closed the listener.
    await settle();
    return settings;
  });

  app.delete<{ Params: { service: string } }>('/faults/:service', async (request) => {
    const service = serviceParam(request.params.service);
    faults.reset(service);
    await settle();
    return faults.get(service);
  });

  app.delete('/faults', async () => {
    faults.reset();
    await settle();
    return faults.getAll();
  });

  app.get('/stats', async () => stats());

  app.delete('/stats', async () => {
    recorder.reset();
    return stats();
  });

  app.get<{ Params: { service: string } }>('/requests/:service', async (request) =>
    recorder.recorded(serviceParam(request.params.service)),
  );

  return app;
}
