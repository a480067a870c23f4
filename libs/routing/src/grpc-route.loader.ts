import type { DownstreamServiceConfig, GrpcServiceConfig } from '@app/config';
import { GrpcContracts, compilePathTemplate } from '@app/downstream';
import type { CompiledGrpcRoute, RouteDefinition } from './route-table.types';

/** Fields of a pass-through route that mean nothing on a REST-to-gRPC route. */
const PASS_THROUGH_ONLY: readonly (keyof RouteDefinition)[] = [
  'prefix',
  'rewrite',
  'preservePath',
  'cacheTtlSeconds',
  'cacheDefaultTtlSeconds',
  'cacheKeyHeaders',
  'cacheUnkeyedHeaders',
  'responseTimeoutMs',
  'maxResponseBytes',
  'streaming',
  'upstreamErrors',
  'canary',
];
/** Literal segments and `{field}` segments (one path segment each, as Fastify parameters). */
const PATH = /^(\/([A-Za-z0-9_~-][A-Za-z0-9._~-]*|\{[A-Za-z_][A-Za-z0-9_]*\}))+$/;
const SERVICE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const METHOD = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Paths the BFF itself serves (as for pass-through prefixes). */
const RESERVED = ['/health', '/docs', '/metrics'];

/** Contracts loaded for route validation, once per service config. */
const loaded = new WeakMap<GrpcServiceConfig, GrpcContracts>();

function contractsOf(config: GrpcServiceConfig): GrpcContracts {
  let contracts = loaded.get(config);
  if (contracts === undefined) {
    contracts = new GrpcContracts(config);
    loaded.set(config, contracts);
  }
  return contracts;
}

/**
 * Checks the gRPC part of a route (`grpc`, `path`) against the service's `.proto` contract at boot:
 * the RPC exists and is unary, every `{field}` of the path is a field of its request message.
 * Returns undefined after pushing its problems.
 */
export function compileGrpcRoute(
  r: Partial<Record<keyof RouteDefinition, unknown>>,
  service: DownstreamServiceConfig | undefined,
  at: (field: string) => string,
  problems: string[],
): CompiledGrpcRoute | undefined {
  const before = problems.length;
  for (const field of PASS_THROUGH_ONLY) {
    if (r[field] !== undefined) problems.push(at(`${field} does not apply to a gRPC route`));
  }
  const g = r.grpc as Record<string, unknown> | undefined;
  if (
    typeof g !== 'object' ||
    g === null ||
    Object.keys(g).some((k) => k !== 'service' && k !== 'method') ||
    typeof g.service !== 'string' ||
    !SERVICE.test(g.service) ||
    typeof g.method !== 'string' ||
    !METHOD.test(g.method)
  ) {
    problems.push(at('grpc must be { "service": "pkg.v1.Service", "method": "Method" }'));
  }
  if (typeof r.path !== 'string' || !PATH.test(r.path) || /(^|\/)\.\.?(\/|$)/.test(r.path)) {
    problems.push(at('path must be a plain path with {field} segments, like /api/v1/stock/{id}'));
  } else if (RESERVED.some((p) => r.path === p || (r.path as string).startsWith(`${p}/`))) {
    problems.push(at(`path ${r.path} would shadow a path the BFF serves itself`));
  }
  if (service !== undefined && service.grpc === undefined) {
    problems.push(at(`service "${service.name}" must use the grpc transport for a gRPC route`));
  }
  if (problems.length > before || service?.grpc === undefined) return undefined;
  const rpc = `${String(g?.service)}/${String(g?.method)}`;
  const contracts = contractsOf(service.grpc);
  if (!contracts.has(rpc)) {
    problems.push(at(`grpc: ${rpc} is not a unary RPC of ${service.grpc.protoFiles.join(', ')}`));
    return undefined;
  }
  const template = compilePathTemplate(r.path as string);
  const request = contracts.method(rpc).request;
  for (const field of template.fields) {
    if (!request.byName.has(field)) {
      problems.push(at(`path: {${field}} is not a field of ${request.fullName}`));
    }
  }
  if (problems.length > before) return undefined;
  return {
    rpc,
    fastifyPath: (r.path as string).replace(/\{([A-Za-z0-9_]+)\}/g, ':$1'),
  };
}
