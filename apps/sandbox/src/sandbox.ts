import type { FastifyInstance } from 'fastify';
import { resolve } from 'node:path';
import { createControlServer } from './control.server';
import { GrpcServiceHost, type GrpcServiceDefinition } from './grpc.host';
import { FaultRegistry } from './faults';
import { startIdp } from './idp/idp.server';
import type { SandboxIdp, SandboxIdpOptions } from './idp/idp.types';
import { RequestRecorder } from './request.recorder';
import { SANDBOX_SERVICES, RecordedRequest, SandboxServiceName } from './sandbox.types';
import { getSeedData } from './seed.data';
import type { SeedData } from './seed.types';
import { createServiceApp } from './service.app';
import { ServiceHost, urlFor } from './service.host';
import { registerCatalogRoutes } from './services/catalog.service';
import { inventoryGrpcService } from './services/inventory.grpc';
import { registerInventoryRoutes } from './services/inventory.service';
import { registerOrdersRoutes } from './services/orders.service';
import { registerPermissionsRoutes } from './services/permissions.service';
import { reviewsGrpcService } from './services/reviews.grpc';
import { registerReviewsRoutes } from './services/reviews.service';
import { registerUsersRoutes } from './services/users.service';

export { SANDBOX_SERVICES } from './sandbox.types';
export type { RecordedRequest, SandboxServiceName } from './sandbox.types';
export { DEFAULT_FAULT_SETTINGS, FaultRegistry, FaultValidationError } from './faults';
export type { FaultSettings } from './faults';
export type { SandboxIdp, SandboxIdpOptions } from './idp/idp.types';

export interface SandboxOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Control port; services use port+1..port+5. 0 (default) = every server on its own ephemeral port. */
  port?: number;
  /** Fastify request logging; default false. */
  logger?: boolean;
  /** Dev identity provider settings; it listens on port+6 (ephemeral when port is 0). */
  idp?: SandboxIdpOptions;
  /** Directory of the `.proto` contracts (default `protos` under the working directory). */
  protoDir?: string;
}

/** Services the sandbox also serves over gRPC, with their port offset from the control port. */
export const SANDBOX_GRPC_SERVICES = { inventory: 14, reviews: 15 } as const;
export type SandboxGrpcServiceName = keyof typeof SANDBOX_GRPC_SERVICES;

export interface Sandbox {
  /** Base URL of each service, e.g. `http://127.0.0.1:4003` (no trailing slash). */
  urls: Record<SandboxServiceName, string>;
  controlUrl: string;
  /**
   * gRPC listener of the services that have one (`grpc://127.0.0.1:4014`...): the same seeded data
   * and the same faults as their HTTP listener, plus grpc.health.v1.
   */
  grpcUrls: Record<SandboxGrpcServiceName, string>;
  /** gRPC calls of the service that their client cancelled (deadline, cancel) before the answer. */
  cancellations(service: SandboxServiceName): number;
  /** The dev OIDC identity provider (oidc-provider): `idp.issuer`, `idp.grants(type)`. */
  idp: SandboxIdp;
  /** In-process fault control (the control HTTP API uses the same registry). */
  faults: FaultRegistry;
  /** Requests received by the service since start/reset, `/health` excluded. */
  hits(service: SandboxServiceName): number;
  /** The last 100 requests received by the service, oldest first. */
  recorded(service: SandboxServiceName): RecordedRequest[];
  /** Zeroes hits and clears recorded requests. */
  resetStats(): void;
  /**
   * Resolves once every listener matches its outage setting. Stopping is immediate on
   * `faults.set()`, resuming takes a tick; await this after clearing an outage in-process.
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const REGISTER: Readonly<
  Record<SandboxServiceName, (app: FastifyInstance, data: SeedData) => unknown>
> = {
  // The users host also serves the permissions service (POST /authorize) of route authorizers.
  users: (app, data) => {
    registerUsersRoutes(app, data);
    registerPermissionsRoutes(app, data);
  },
  orders: registerOrdersRoutes,
  catalog: registerCatalogRoutes,
  inventory: registerInventoryRoutes,
  reviews: registerReviewsRoutes,
};

/** Starts the five services and the control server; see {@link SandboxOptions} for ports. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const logger = options.logger ?? false;
  if (!Number.isInteger(port) || port < 0 || port > 65_535 - SANDBOX_GRPC_SERVICES.reviews) {
    throw new RangeError(
      `port must be 0 or an integer up to ${65_535 - SANDBOX_GRPC_SERVICES.reviews} (got ${port})`,
    );
  }

  const data = getSeedData();
  const faults = new FaultRegistry();
  const recorder = new RequestRecorder();
  const hosts = SANDBOX_SERVICES.map((service, i) => {
    const app = createServiceApp({ service, logger, faults, recorder });
    REGISTER[service](app, data);
    return new ServiceHost(service, app, host, port === 0 ? 0 : port + i + 1, faults);
  });
  const grpcDefinitions: Record<SandboxGrpcServiceName, GrpcServiceDefinition> = {
    inventory: inventoryGrpcService(data),
    reviews: reviewsGrpcService(data),
  };
  const protoDir = options.protoDir ?? resolve('protos');
  const grpcHosts = (Object.keys(SANDBOX_GRPC_SERVICES) as SandboxGrpcServiceName[]).map(
    (service) =>
      new GrpcServiceHost({
        service,
        definition: grpcDefinitions[service],
        protoDir,
        host,
        port: port === 0 ? 0 : port + SANDBOX_GRPC_SERVICES[service],
        faults,
        recorder,
      }),
  );
  const settle = async (): Promise<void> => {
    await Promise.all([...hosts.map((h) => h.sync()), ...grpcHosts.map((h) => h.sync())]);
  };
  const control = createControlServer({ faults, recorder, settle, logger });
  // A failed resume (port taken meanwhile) is retried by the next settle().
  const unsubscribe = faults.onChange((service) => {
    void hosts[SANDBOX_SERVICES.indexOf(service)].sync().catch(() => undefined);
    for (const h of grpcHosts) if (h.service === service) void h.sync().catch(() => undefined);
  });

  const idpStarting = startIdp({ host, port: port === 0 ? 0 : port + 6, logger, ...options.idp });
  const closeAll = async (): Promise<void> => {
    unsubscribe();
    await Promise.allSettled([
      ...hosts.map((h) => h.close()),
      ...grpcHosts.map((h) => h.close()),
      control.close(),
      idpStarting.then((idp) => idp.close()),
    ]);
  };

  try {
    const started = await Promise.allSettled([
      ...hosts.map((h) => h.start()),
      ...grpcHosts.map((h) => h.start()),
      control.listen({ host, port }),
      idpStarting,
    ]);
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  } catch (error) {
    await closeAll();
    throw error;
  }

  const controlPort = (control.server.address() as { port: number }).port;
  const idp = await idpStarting;
  const urls = Object.fromEntries(hosts.map((h) => [h.service, h.url])) as Record<
    SandboxServiceName,
    string
  >;
  const grpcUrls = Object.fromEntries(grpcHosts.map((h) => [h.service, h.url])) as Record<
    SandboxGrpcServiceName,
    string
  >;
  let closing: Promise<void> | undefined;

  return {
    urls,
    controlUrl: urlFor(host, controlPort),
    grpcUrls,
    cancellations: (service) => recorder.cancellations(service),
    idp,
    faults,
    hits: (service) => recorder.hits(service),
    recorded: (service) => recorder.recorded(service),
    resetStats: () => recorder.reset(),
    settle,
    close: () => (closing ??= closeAll()),
  };
}
