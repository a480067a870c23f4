import { isAbsolute, resolve } from 'node:path';
import type { EnvReader } from './env-reader';

/** How a downstream reached with `DOWNSTREAM_<NAME>_TRANSPORT=grpc` is called (@app/downstream). */
export interface GrpcServiceConfig {
  /** Absolute directory the `.proto` files and their imports are read from (`GRPC_PROTO_DIR`). */
  readonly protoDir: string;
  /** `DOWNSTREAM_<NAME>_GRPC_PROTO`: the service's proto files, relative to `protoDir`. */
  readonly protoFiles: readonly string[];
  /** `DOWNSTREAM_<NAME>_GRPC_SERVICE`: fully-qualified gRPC services it serves (`pkg.v1.Service`). */
  readonly services: readonly string[];
  /** `DOWNSTREAM_<NAME>_GRPC_MAX_MESSAGE_BYTES`: largest message sent or received; larger answers are 502. */
  readonly maxMessageBytes: number;
  /** `DOWNSTREAM_<NAME>_GRPC_KEEPALIVE_MS`: HTTP/2 ping interval on a channel with calls in flight. */
  readonly keepAliveMs: number;
}

/** The contracts of the sandbox services that also speak gRPC (protos/ in the repository). */
export const SANDBOX_GRPC_CONTRACTS: Readonly<
  Record<string, { proto: string; service: string; portOffset: number }>
> = {
  inventory: {
    proto: 'bff/inventory/v1/inventory.proto',
    service: 'bff.inventory.v1.InventoryService',
    portOffset: 14,
  },
  reviews: {
    proto: 'bff/reviews/v1/reviews.proto',
    service: 'bff.reviews.v1.ReviewsService',
    portOffset: 15,
  },
};

const SERVICE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const PROTO_FILE = /^[A-Za-z0-9_][A-Za-z0-9_./-]*\.proto$/;

/** Reads `GRPC_PROTO_DIR` once; relative paths resolve against `cwd` (like the route tables). */
export function readGrpcProtoDir(r: EnvReader, cwd: string): string {
  const value = r.raw('GRPC_PROTO_DIR') ?? 'protos';
  return isAbsolute(value) ? value : resolve(cwd, value);
}

/** The gRPC settings of one downstream whose transport is `grpc`. */
export function readGrpcService(
  r: EnvReader,
  name: string,
  prefix: string,
  protoDir: string,
): GrpcServiceConfig {
  const known = SANDBOX_GRPC_CONTRACTS[name];
  const protoFiles = r.list(`${prefix}_GRPC_PROTO`, known === undefined ? [] : [known.proto]);
  const services = r.list(`${prefix}_GRPC_SERVICE`, known === undefined ? [] : [known.service]);
  if (protoFiles.length === 0) {
    r.problems.push(`${prefix}_GRPC_PROTO is required when ${prefix}_TRANSPORT is grpc`);
  }
  for (const file of protoFiles) {
    if (!PROTO_FILE.test(file) || file.split('/').includes('..')) {
      r.problems.push(
        `${prefix}_GRPC_PROTO must list .proto files under GRPC_PROTO_DIR (got "${file}")`,
      );
    }
  }
  if (services.length === 0) {
    r.problems.push(`${prefix}_GRPC_SERVICE is required when ${prefix}_TRANSPORT is grpc`);
  }
  for (const service of services) {
    if (!SERVICE.test(service)) {
      r.problems.push(
        `${prefix}_GRPC_SERVICE must list fully-qualified service names like pkg.v1.Service (got "${service}")`,
      );
    }
  }
  return {
    protoDir,
    protoFiles,
    services,
    maxMessageBytes: r.int(
      `${prefix}_GRPC_MAX_MESSAGE_BYTES`,
      4 * 1024 * 1024,
      1_024,
      256 * 1024 * 1024,
    ),
    // Servers refuse pings more frequent than they allow (grpc-go and C-core: 5 minutes by
    // default), closing the connection; lower it only for servers that permit it.
    keepAliveMs: r.int(`${prefix}_GRPC_KEEPALIVE_MS`, 300_000, 10_000, 3_600_000),
  };
}
