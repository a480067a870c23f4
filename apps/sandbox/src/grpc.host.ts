import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
// The BFF's own options (proto3 JSON names), so both ends decode messages the same way.
import { PROTO_LOADER_OPTIONS } from '@app/downstream';
import { constants as http2, type ServerHttp2Stream } from 'node:http2';
import type { FaultRegistry, FaultSettings } from './faults';
import type { RequestRecorder } from './request.recorder';
import type { SandboxServiceName } from './sandbox.types';

/** The standard health service (grpc.health.v1) a host serves beside its own. */
const HEALTH_PROTO = 'grpc/health/v1/health.proto';

/** Handlers of one gRPC service, by method name (unary only). */
export type UnaryHandlers = Record<string, grpc.handleUnaryCall<unknown, unknown>>;

export interface GrpcServiceDefinition {
  /** Proto file, relative to the proto directory. */
  proto: string;
  /** Fully-qualified service name, e.g. `bff.inventory.v1.InventoryService`. */
  name: string;
  handlers: UnaryHandlers;
}

export interface GrpcHostOptions {
  service: SandboxServiceName;
  definition: GrpcServiceDefinition;
  protoDir: string;
  host: string;
  port: number;
  faults: FaultRegistry;
  recorder: RequestRecorder;
  random?: () => number;
}

/** What an injected HTTP error status becomes on the gRPC listener when `grpcStatus` is 0. */
function injectedCode(settings: Readonly<FaultSettings>): grpc.status {
  if (settings.grpcStatus > 0) return settings.grpcStatus as grpc.status;
  switch (settings.errorStatus) {
    case 503:
      return grpc.status.UNAVAILABLE;
    case 504:
      return grpc.status.DEADLINE_EXCEEDED;
    case 501:
      return grpc.status.UNIMPLEMENTED;
    default:
      return grpc.status.INTERNAL;
  }
}

/** A status for a unary callback (grpc-js takes any object with `code` and `details`). */
export function grpcError(code: grpc.status, details: string): Partial<grpc.StatusObject> {
  return { code, details };
}

function metadataHeaders(metadata: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) out[key] = String(value);
  return out;
}

/**
 * Destroys the call's HTTP/2 stream with RST_STREAM(INTERNAL_ERROR), as a crashed server would.
 * grpc-js has no public API for it, so this reaches the stream the server call wraps; the sandbox
 * spec proves it still works after an upgrade.
 */
function resetStream(call: object): void {
  const stream = (call as { call?: { stream?: ServerHttp2Stream } }).call?.stream;
  if (stream === undefined) throw new Error('grpc-js internals changed: no stream to reset');
  stream.close(http2.NGHTTP2_INTERNAL_ERROR);
}

/**
 * One sandbox service over gRPC, on its own port: the service's RPCs and grpc.health.v1, under the
 * same fault registry as its HTTP listener (latency and jitter, injected status codes, resets,
 * outage). A call its client cancels (deadline, cancel) stops its timer and is counted.
 */
export class GrpcServiceHost {
  private server: grpc.Server | undefined;
  private boundPort: number;
  private running: Promise<void> = Promise.resolve();
  private closing = false;
  private readonly packageDefinition: protoLoader.PackageDefinition;
  private readonly random: () => number;

  constructor(private readonly options: GrpcHostOptions) {
    this.boundPort = options.port;
    this.random = options.random ?? Math.random;
    this.packageDefinition = protoLoader.loadSync([options.definition.proto, HEALTH_PROTO], {
      ...PROTO_LOADER_OPTIONS,
      includeDirs: [options.protoDir],
    });
  }

  get service(): SandboxServiceName {
    return this.options.service;
  }

  /** `grpc://host:port`; the BFF's gRPC transport reads this scheme as plaintext HTTP/2. */
  get url(): string {
    const h = this.options.host === '0.0.0.0' ? '127.0.0.1' : this.options.host;
    return `grpc://${h.includes(':') ? `[${h}]` : h}:${this.boundPort}`;
  }

  async start(): Promise<void> {
    await this.sync();
  }

  /** Brings the server in line with the outage setting (serialised like the HTTP hosts). */
  sync(): Promise<void> {
    this.running = this.running.then(() => this.reconcile());
    return this.running;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.sync();
  }

  private async reconcile(): Promise<void> {
    const wanted = !this.closing && !this.options.faults.get(this.options.service).outage;
    if (wanted && this.server === undefined) {
      const server = this.build();
      this.boundPort = await new Promise<number>((resolve, reject) => {
        server.bindAsync(
          `${this.options.host}:${this.boundPort}`,
          grpc.ServerCredentials.createInsecure(),
          (error, port) => (error === null ? resolve(port) : reject(error)),
        );
      });
      this.server = server;
    } else if (!wanted && this.server !== undefined) {
      // Refuses new connections and drops open ones, as the HTTP listener's outage does.
      this.server.forceShutdown();
      this.server = undefined;
    }
  }

  private build(): grpc.Server {
    const { definition } = this.options;
    const server = new grpc.Server();
    const service = this.packageDefinition[definition.name] as grpc.ServiceDefinition;
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const [method, handler] of Object.entries(definition.handlers)) {
      handlers[method] = this.withFaults(handler);
    }
    server.addService(service, handlers);
    const health = this.packageDefinition['grpc.health.v1.Health'] as grpc.ServiceDefinition;
    server.addService(health, {
      Check: (
        call: grpc.ServerUnaryCall<{ service: string }, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        const name = call.request.service;
        if (name !== '' && name !== definition.name) {
          callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${name}` });
          return;
        }
        callback(null, { status: 'SERVING' });
      },
      // Sends the current status and keeps the stream open until the client leaves.
      Watch: (call: grpc.ServerWritableStream<{ service: string }, unknown>) => {
        const known = call.request.service === '' || call.request.service === definition.name;
        call.write({ status: known ? 'SERVING' : 'SERVICE_UNKNOWN' });
      },
    });
    return server;
  }

  /** Records the call, then applies the service's faults: reset -> latency -> error -> answer. */
  private withFaults(
    handler: grpc.handleUnaryCall<unknown, unknown>,
  ): grpc.handleUnaryCall<unknown, unknown> {
    const { service, faults, recorder } = this.options;
    return (call, callback) => {
      recorder.recordCall(
        service,
        'POST',
        call.getPath(),
        metadataHeaders(call.metadata),
        call.getPeer(),
      );
      const settings = faults.get(service);
      if (settings.resetRate > 0 && this.random() < settings.resetRate) {
        resetStream(call);
        return;
      }
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      call.once('cancelled', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        recorder.recordCancellation(service);
      });
      const answer = (): void => {
        if (settled) return;
        settled = true;
        if (settings.errorRate > 0 && this.random() < settings.errorRate) {
          callback({
            code: injectedCode(settings),
            details: `Injected fault from the ${service} sandbox`,
          });
          return;
        }
        handler(call, callback);
      };
      const delay =
        settings.latencyMs + (settings.jitterMs > 0 ? this.random() * settings.jitterMs : 0);
      if (delay > 0) timer = setTimeout(answer, delay);
      else answer();
    };
  }
}
