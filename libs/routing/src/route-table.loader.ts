import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type BffConfig, ConfigValidationError } from '@app/config';
import type { RouteSettings, Tier } from '@app/core';
import { compilePolicies } from './route-policy.compiler';
import { compileGrpcRoute } from './grpc-route.loader';
import type { CompiledGrpcRoute, CompiledRoute, RouteDefinition } from './route-table.types';

/** A route table that cannot be served; the message names the file, the route and the field. */
export class RouteTableError extends ConfigValidationError {
  constructor(source: string, problems: readonly string[]) {
    super(problems.map((p) => `${source}: ${p}`));
    this.name = 'RouteTableError';
  }
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const TIERS: readonly Tier[] = ['anonymous', 'standard', 'premium', 'internal'];
const FIELDS = new Set([
  'name',
  'prefix',
  'service',
  'rewrite',
  'preservePath',
  'methods',
  'auth',
  'roles',
  'scopes',
  'rateLimit',
  'cacheTtlSeconds',
  'cacheDefaultTtlSeconds',
  'cacheKeyHeaders',
  'cacheUnkeyedHeaders',
  'timeoutMs',
  'retries',
  'maxBodyBytes',
  'responseTimeoutMs',
  'maxResponseBytes',
  'streaming',
  'upstreamErrors',
  'canary',
  'validate',
  'transform',
  'authorize',
  'grpc',
  'path',
]);
const NAME = /^[a-z][a-z0-9-]{0,63}$/;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
/** Headers that rewrite the request or carry identity: never forwarded unkeyed to a cached origin. */
const NEVER_UNKEYED =
  /^(host|x-forwarded-.*|forwarded|x-original-url|x-rewrite-url|x-host|x-http-method.*|x-method-override|x-user-.*|cookie|authorization)$/i;
/** Client headers forwarded on cached routes by default, each part of the cache key. */
const DEFAULT_CACHE_KEY_HEADERS: readonly string[] = ['accept', 'accept-language'];
/** Plain segments only: no dots-only segments, no encoding, no empty segments. */
const PREFIX = /^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/;
const REWRITE = /^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*\/?$/;
/** Paths the BFF itself serves: a route there would shadow them. */
const RESERVED = ['/health', '/docs', '/metrics'];

type Problems = string[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, where: string, problems: Problems): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
    problems.push(`${where} must be a list of non-empty strings`);
    return undefined;
  }
  return value as string[];
}

function integer(
  value: unknown,
  where: string,
  min: number,
  max: number,
  problems: Problems,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${where} must be an integer between ${min} and ${max}`);
    return undefined;
  }
  return value;
}

function compileRoute(
  raw: unknown,
  index: number,
  config: BffConfig,
  problems: Problems,
  baseDir: string,
): CompiledRoute | undefined {
  if (!isObject(raw)) {
    problems.push(`routes[${index}] must be an object`);
    return undefined;
  }
  const label = typeof raw.name === 'string' ? `route "${raw.name}"` : `routes[${index}]`;
  const at = (field: string) => `${label}: ${field}`;
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!FIELDS.has(key)) problems.push(at(`unknown field "${key}"`));
  }
  const r = raw as Partial<Record<keyof RouteDefinition, unknown>>;
  if (typeof r.name !== 'string' || !NAME.test(r.name)) {
    problems.push(at('name must be lowercase letters, digits and dashes'));
  }
  const service = typeof r.service === 'string' ? config.downstreams[r.service] : undefined;
  let grpc: CompiledGrpcRoute | undefined;
  if (r.grpc !== undefined || r.path !== undefined) {
    // REST to gRPC: an exact path naming request fields instead of a prefix.
    grpc = compileGrpcRoute(r, service, at, problems);
  } else if (
    typeof r.prefix !== 'string' ||
    !PREFIX.test(r.prefix) ||
    /(^|\/)\.\.?(\/|$)/.test(r.prefix)
  ) {
    problems.push(at('prefix must be a plain path like /api/v1/catalog (no dots, encoding or //)'));
  } else if (RESERVED.some((p) => r.prefix === p || (r.prefix as string).startsWith(`${p}/`))) {
    problems.push(at(`prefix ${r.prefix} would shadow a path the BFF serves itself`));
  }
  if (service === undefined) {
    problems.push(
      at(
        `service "${String(r.service)}" is not in the downstream registry (${Object.keys(config.downstreams).join(', ')})`,
      ),
    );
  } else if (service.transport !== 'undici' && r.grpc === undefined && r.path === undefined) {
    problems.push(
      at(
        `service "${service.name}" uses the ${service.transport} transport; pass-through needs undici`,
      ),
    );
  }
  if (r.rewrite !== undefined && (typeof r.rewrite !== 'string' || !REWRITE.test(r.rewrite))) {
    problems.push(
      at('rewrite must be a plain path like /v2 or "" (no dots-only segments or encoding)'),
    );
  }
  if (r.preservePath !== undefined && typeof r.preservePath !== 'boolean') {
    problems.push(at('preservePath must be true or false'));
  }
  if (r.preservePath === true && r.rewrite !== undefined) {
    problems.push(at('rewrite and preservePath cannot be combined'));
  }
  const methods = stringList(r.methods, at('methods'), problems) ?? ['GET', 'HEAD'];
  for (const m of methods) {
    if (!(METHODS as readonly string[]).includes(m)) {
      problems.push(at(`methods: "${m}" is not one of ${METHODS.join(', ')}`));
    }
  }
  if (r.auth !== undefined && r.auth !== 'public' && r.auth !== 'required') {
    problems.push(at('auth must be "public" or "required"'));
  }
  const roles = stringList(r.roles, at('roles'), problems);
  const scopes = stringList(r.scopes, at('scopes'), problems);
  if (r.auth === 'public' && ((roles?.length ?? 0) > 0 || (scopes?.length ?? 0) > 0)) {
    problems.push(at('a public route cannot require roles or scopes'));
  }
  let tier: Tier | undefined;
  let weight: number | undefined;
  if (r.rateLimit !== undefined) {
    if (!isObject(r.rateLimit)) {
      problems.push(at('rateLimit must be an object { tier?, weight? }'));
    } else {
      for (const key of Object.keys(r.rateLimit)) {
        if (key !== 'tier' && key !== 'weight')
          problems.push(at(`rateLimit: unknown field "${key}"`));
      }
      const t = r.rateLimit.tier;
      if (t !== undefined && !TIERS.includes(t as Tier)) {
        problems.push(at(`rateLimit.tier must be one of ${TIERS.join(', ')}`));
      } else tier = t as Tier | undefined;
      weight = integer(r.rateLimit.weight, at('rateLimit.weight'), 1, 1_000, problems);
    }
  }
  const cacheTtlSeconds = integer(r.cacheTtlSeconds, at('cacheTtlSeconds'), 0, 86_400, problems);
  const cacheDefaultTtlSeconds = integer(
    r.cacheDefaultTtlSeconds,
    at('cacheDefaultTtlSeconds'),
    0,
    86_400,
    problems,
  );
  if (cacheDefaultTtlSeconds !== undefined && (cacheTtlSeconds ?? 0) < cacheDefaultTtlSeconds) {
    problems.push(
      at('cacheDefaultTtlSeconds needs cacheTtlSeconds (the ceiling) at least as large'),
    );
  }
  let cacheKeyHeaders: string[] | undefined;
  if (r.cacheKeyHeaders !== undefined) {
    const list = r.cacheKeyHeaders;
    if (
      !Array.isArray(list) ||
      list.length > 8 ||
      list.some((h) => typeof h !== 'string' || !HEADER_NAME.test(h))
    ) {
      problems.push(at('cacheKeyHeaders must be a list of at most 8 header names'));
    } else cacheKeyHeaders = [...new Set(list.map((h: string) => h.toLowerCase()))].sort();
  }
  let cacheUnkeyedHeaders: string[] | undefined;
  if (r.cacheUnkeyedHeaders !== undefined) {
    const list = r.cacheUnkeyedHeaders;
    if (
      !Array.isArray(list) ||
      list.length > 8 ||
      list.some((h) => typeof h !== 'string' || !HEADER_NAME.test(h) || NEVER_UNKEYED.test(h))
    ) {
      problems.push(
        at(
          'cacheUnkeyedHeaders must list at most 8 header names, none of host, x-forwarded-*, x-original-url, x-rewrite-url, x-user-*, cookie or authorization',
        ),
      );
    } else cacheUnkeyedHeaders = [...new Set(list.map((h: string) => h.toLowerCase()))].sort();
  }
  const timeoutMs = integer(r.timeoutMs, at('timeoutMs'), 10, 600_000, problems);
  const retries = integer(r.retries, at('retries'), 0, 10, problems);
  const maxBodyBytes = integer(r.maxBodyBytes, at('maxBodyBytes'), 0, 1_073_741_824, problems);
  const responseTimeoutMs = integer(
    r.responseTimeoutMs,
    at('responseTimeoutMs'),
    100,
    3_600_000,
    problems,
  );
  const maxResponseBytes = integer(
    r.maxResponseBytes,
    at('maxResponseBytes'),
    1,
    17_179_869_184,
    problems,
  );
  if (
    r.upstreamErrors !== undefined &&
    r.upstreamErrors !== 'typed' &&
    r.upstreamErrors !== 'relay'
  ) {
    problems.push(at('upstreamErrors must be "typed" or "relay"'));
  }
  if (r.streaming !== undefined && typeof r.streaming !== 'boolean') {
    problems.push(at('streaming must be true or false'));
  }
  if (r.streaming === true && (responseTimeoutMs !== undefined || maxResponseBytes !== undefined)) {
    problems.push(at('a streaming route has no responseTimeoutMs or maxResponseBytes'));
  }
  let canaryPercent = 0;
  if (r.canary !== undefined) {
    const w = isObject(r.canary) ? r.canary.weight : undefined;
    if (
      !isObject(r.canary) ||
      Object.keys(r.canary).some((k) => k !== 'weight') ||
      typeof w !== 'number' ||
      !(w >= 0 && w <= 100)
    ) {
      problems.push(at('canary must be { "weight": <percent 0..100> }'));
    } else if (
      service !== undefined &&
      (config.routing.upstreams[service.name]?.canaryUrls.length ?? 0) === 0
    ) {
      const env = `DOWNSTREAM_${service.name.toUpperCase().replace(/-/g, '_')}_CANARY_URL`;
      problems.push(at(`canary needs canary instances of "${service.name}" (${env})`));
    } else canaryPercent = w;
  }
  if (grpc !== undefined && (r.validate ?? r.transform ?? r.authorize) !== undefined) {
    // The transcoder maps and checks the message by its proto; the policies run on the proxy path.
    problems.push(
      at('validate, transform and authorize apply to pass-through routes, not gRPC routes'),
    );
  }
  const policies = compilePolicies(
    { validate: r.validate, transform: r.transform, authorize: r.authorize },
    {
      auth: r.auth === 'public' ? 'public' : 'required',
      cached: (cacheTtlSeconds ?? 0) > 0,
      streaming: r.streaming === true,
      maxBodyBytes: maxBodyBytes ?? config.bodyLimitBytes,
      maxResponseBytes: maxResponseBytes ?? config.routing.proxyMaxResponseBytes,
    },
    config,
    baseDir,
    problems,
    at,
  );
  if (problems.length > before) return undefined;

  const needsAuth = r.auth !== 'public';
  const settings: RouteSettings = {
    name: r.name as string,
    auth: needsAuth ? 'required' : 'public',
    ...(roles !== undefined && roles.length > 0 ? { roles } : {}),
    ...(scopes !== undefined && scopes.length > 0 ? { scopes } : {}),
    ...(tier !== undefined ? { tier } : {}),
    ...(weight !== undefined ? { weight } : {}),
    ...(cacheTtlSeconds !== undefined ? { cacheTtlSeconds } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(retries !== undefined ? { retries } : {}),
  };
  const rewrite = r.preservePath === true ? undefined : ((r.rewrite as string | undefined) ?? '');
  const cache =
    cacheTtlSeconds === undefined || cacheTtlSeconds <= 0
      ? undefined
      : {
          bounds: {
            defaultTtlSeconds: cacheDefaultTtlSeconds ?? cacheTtlSeconds,
            maxTtlSeconds: cacheTtlSeconds,
          },
          keyHeaders: cacheKeyHeaders ?? DEFAULT_CACHE_KEY_HEADERS,
          unkeyedHeaders: cacheUnkeyedHeaders ?? [],
        };
  return {
    cache,
    relayErrors: r.upstreamErrors === 'relay',
    bounds: {
      responseTimeoutMs: responseTimeoutMs ?? config.routing.proxyResponseTimeoutMs,
      maxResponseBytes: maxResponseBytes ?? config.routing.proxyMaxResponseBytes,
      streaming: r.streaming === true,
    },
    settings: Object.freeze(settings),
    prefix: grpc === undefined ? (r.prefix as string) : (r.path as string),
    ...(grpc === undefined ? {} : { grpc }),
    rewrite: rewrite === undefined ? undefined : rewrite.replace(/\/$/, ''),
    service: (service as { name: string }).name,
    methods: new Set(methods),
    allow: methods.join(', '),
    canaryPercent,
    maxBodyBytes: maxBodyBytes ?? config.bodyLimitBytes,
    policies,
  };
}

/** Validates a parsed route table; throws {@link RouteTableError} listing every problem. */
export function compileRouteTable(
  table: unknown,
  config: BffConfig,
  source = 'route table',
  /** Where schema files named by `validate` are found (default: the working directory). */
  baseDir = process.cwd(),
): CompiledRoute[] {
  const problems: Problems = [];
  if (!isObject(table) || !Array.isArray(table.routes)) {
    throw new RouteTableError(source, ['must be an object { "routes": [ ... ] }']);
  }
  for (const key of Object.keys(table)) {
    if (key !== 'routes' && key !== '$comment') problems.push(`unknown top-level field "${key}"`);
  }
  const routes: CompiledRoute[] = [];
  table.routes.forEach((raw: unknown, i: number) => {
    const route = compileRoute(raw, i, config, problems, baseDir);
    if (route !== undefined) routes.push(route);
  });
  const names = new Set<string>();
  const prefixes = new Set<string>();
  for (const route of routes) {
    if (names.has(route.settings.name))
      problems.push(`route "${route.settings.name}": name is used twice`);
    if (prefixes.has(route.prefix)) {
      problems.push(`route "${route.settings.name}": prefix ${route.prefix} is used twice`);
    }
    names.add(route.settings.name);
    prefixes.add(route.prefix);
  }
  if (problems.length > 0) throw new RouteTableError(source, problems);
  return routes;
}

/** Reads and validates a route table file at boot; undefined `file` means no routes. */
export function loadRouteTable(file: string | undefined, config: BffConfig): CompiledRoute[] {
  if (file === undefined) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RouteTableError(file, [
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new RouteTableError(file, [`is not valid JSON (${(error as Error).message})`]);
  }
  return compileRouteTable(parsed, config, file, dirname(file));
}
