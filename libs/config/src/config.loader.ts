import { BffAppName, BffConfig, DownstreamServiceConfig, LogLevel } from './config.types';
import { EnvReader, EnvSource } from './env-reader';
import { readResilienceConfig } from './resilience.config';
import { readRateLimitConfig } from './rate-limit.config';
import { readAuthConfig } from './auth.config';
import { readSandboxIdpConfig } from './sandbox-idp.config';
import { ADMIN_SESSION_VARIABLES, readSessionConfig } from './session.config';
import { readCacheConfig } from './cache.config';
import { readRoutingConfig } from './routing.config';
import { readObservabilityConfig } from './observability.config';
import { readRedisConfig, readRedisUrl } from './redis.config';
import { readEdgeConfig } from './edge.config';
import { SANDBOX_GRPC_CONTRACTS, readGrpcProtoDir, readGrpcService } from './grpc.config';
import { readGraphqlConfig } from './graphql.config';
import { readEventsConfig } from './events.config';

export type { EnvSource };

/** Thrown at boot when the environment is invalid; the message names every bad variable. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

export const DEFAULT_SERVICES: Readonly<Record<string, number>> = {
  users: 4001,
  orders: 4002,
  catalog: 4003,
  inventory: 4004,
  reviews: 4005,
};

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,31}$/;

function readService(
  r: EnvReader,
  name: string,
  sandbox: { host: string; port: number },
  protoDir: string,
): DownstreamServiceConfig {
  const prefix = `DOWNSTREAM_${name.toUpperCase().replace(/-/g, '_')}`;
  const transport = r.oneOf(`${prefix}_TRANSPORT`, ['undici', 'axios', 'grpc'] as const, 'undici');
  // Sandbox default ports follow the control port, so SANDBOX_PORT moves them together.
  const grpc = transport === 'grpc';
  const offset = grpc
    ? SANDBOX_GRPC_CONTRACTS[name]?.portOffset
    : DEFAULT_SERVICES[name] === undefined
      ? undefined
      : DEFAULT_SERVICES[name] - 4000;
  const scheme = grpc ? 'grpc' : 'http';
  const fallback =
    offset === undefined ? [] : [`${scheme}://${sandbox.host}:${sandbox.port + offset}`];
  const urls = r.urls(`${prefix}_URL`, fallback, grpc ? ['grpc:', 'grpcs:'] : ['http:', 'https:']);
  if (urls.length === 0 && !r.problems.some((p) => p.startsWith(`${prefix}_URL`))) {
    r.problems.push(`${prefix}_URL is required for downstream service "${name}"`);
  }
  const service: DownstreamServiceConfig = {
    name,
    urls,
    timeoutMs: r.int(`${prefix}_TIMEOUT_MS`, 5_000, 1, 600_000),
    transport,
    connections: r.int(`${prefix}_CONNECTIONS`, 128, 1, 10_000),
  };
  return grpc ? { ...service, grpc: readGrpcService(r, name, prefix, protoDir) } : service;
}

/**
 * Reads and validates the environment once. Every variable is documented in README.md.
 * Throws {@link ConfigValidationError} listing every bad variable.
 */
export function loadConfig(env: EnvSource = process.env): BffConfig {
  const r = new EnvReader(env);
  const sandboxHost = r.raw('SANDBOX_HOST') ?? '127.0.0.1';
  const sandboxPort = r.int('SANDBOX_PORT', 4000, 0, 65_535);

  const names = (r.raw('DOWNSTREAM_SERVICES') ?? Object.keys(DEFAULT_SERVICES).join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const downstreams: Record<string, DownstreamServiceConfig> = {};
  const protoDir = readGrpcProtoDir(r, process.cwd());
  for (const name of names) {
    if (!SERVICE_NAME.test(name)) {
      r.problems.push(
        `DOWNSTREAM_SERVICES has an invalid service name "${name}" (lowercase letters, digits, dashes)`,
      );
      continue;
    }
    downstreams[name] = readService(r, name, { host: sandboxHost, port: sandboxPort }, protoDir);
  }

  const apps: Record<BffAppName, { port: number }> = {
    'web-bff': { port: r.int('WEB_BFF_PORT', 3001, 0, 65_535) },
    'mobile-bff': { port: r.int('MOBILE_BFF_PORT', 3002, 0, 65_535) },
    'admin-bff': { port: r.int('ADMIN_BFF_PORT', 3003, 0, 65_535) },
  };

  const redis = [readRedisUrl(r)];
  const sandboxIdp = readSandboxIdpConfig(r, sandboxHost, sandboxPort);
  const bodyLimitBytes = r.int('BFF_BODY_LIMIT_BYTES', 1_048_576, 1_024, 104_857_600);
  const config: BffConfig = {
    nodeEnv: r.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development'),
    host: r.raw('BFF_HOST') ?? '0.0.0.0',
    apps,
    deadlineMs: r.int('BFF_DEADLINE_MS', 3_000, 10, 600_000),
    deadlineMarginMs: r.int('BFF_DEADLINE_MARGIN_MS', 10, 0, 10_000),
    bodyLimitBytes,
    edge: readEdgeConfig(r, bodyLimitBytes),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    redisUrl: redis[0],
    redis: readRedisConfig(r, redis[0]),
    downstreams,
    grpcProtoDir: protoDir,
    sandbox: { host: sandboxHost, port: sandboxPort, idp: sandboxIdp },
    session: readSessionConfig(r, {
      webPort: apps['web-bff'].port,
      defaultIssuer: sandboxIdp.issuer,
      redisUrl: redis[0],
    }),
    adminSession: readSessionConfig(
      r,
      { webPort: apps['admin-bff'].port, defaultIssuer: sandboxIdp.issuer, redisUrl: redis[0] },
      ADMIN_SESSION_VARIABLES,
    ),
    resilience: readResilienceConfig(r, Object.keys(downstreams)),
    rateLimit: readRateLimitConfig(r, redis[0]),
    cache: readCacheConfig(r, redis[0]),
    routing: readRoutingConfig(r, Object.keys(downstreams)),
    observability: readObservabilityConfig(r, Object.keys(downstreams)),
    auth: readAuthConfig(r, {
      production: r.raw('NODE_ENV') === 'production',
      sandbox: { host: sandboxHost, port: sandboxPort },
      redisUrl: redis[0],
    }),
    graphql: readGraphqlConfig(r, r.raw('NODE_ENV') ?? 'development', redis[0]),
    events: readEventsConfig(r, redis[0], apps['admin-bff'].port),
  };
  // Shared variables (SESSION_STORE...) are read once per app that uses them: report them once.
  if (r.problems.length > 0) throw new ConfigValidationError([...new Set(r.problems)]);
  return config;
}
