import { randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { BffAppName } from './config.types';
import type { EnvReader } from './env-reader';

/** How a call picks one instance of a downstream service. */
export type BalancerStrategy = 'round-robin' | 'least-pending';

/** Load balancing, passive health checks and canary instances of one downstream service. */
export interface UpstreamBalancingConfig {
  /** `round-robin` (default) or `least-pending` (fewest calls in flight, round robin on ties). */
  readonly strategy: BalancerStrategy;
  /** Consecutive failures (connection errors, 502/503/504) that eject an instance; 0 never ejects. */
  readonly ejectAfterFailures: number;
  /** How long an ejected instance gets no traffic before it is tried again, in ms. */
  readonly ejectMs: number;
  /** Base URLs of the canary version's instances; empty when the service has no canary. */
  readonly canaryUrls: readonly string[];
}

/** Declarative routes, balancing, versioning and client-specific shaping (libs/routing). */
export interface RoutingConfig {
  /** Absolute path of each BFF's route table (`<APP>_ROUTES_FILE`), undefined when disabled (`none`). */
  readonly routesFiles: Readonly<Record<BffAppName, string | undefined>>;
  /** Balancing settings per downstream service (`DOWNSTREAM_<NAME>_BALANCER`, `_EJECT_*`, `_CANARY_URL`). */
  readonly upstreams: Readonly<Record<string, UpstreamBalancingConfig>>;
  /** Oldest mobile app version served (`X-App-Version` below it gets 426); undefined disables the check. */
  readonly mobileMinAppVersion: string | undefined;
  /** HMAC key of mobile pagination cursors; random per process unless set (set it when running several instances). */
  readonly cursorSecret: string;
  /** Serves the OpenAPI document at `/docs` (UI) and `/docs/json`. */
  readonly docsEnabled: boolean;
  /**
   * `BFF_PUBLIC_HOST`: the host clients address (`api.example.com[:port]`), sent as
   * `X-Forwarded-Host` on cached routes instead of the client's `Host`; without it cached routes
   * send none (a client's `Host` is unkeyed input and must never shape a shared answer).
   */
  readonly publicHost: string | undefined;
  /** `BFF_PROXY_RESPONSE_TIMEOUT_MS`: default total time of a pass-through answer (route `responseTimeoutMs`). */
  readonly proxyResponseTimeoutMs: number;
  /** `BFF_PROXY_MAX_RESPONSE_BYTES`: default size cap of a pass-through answer (route `maxResponseBytes`). */
  readonly proxyMaxResponseBytes: number;
}

const APP_ENV: Readonly<Record<BffAppName, string>> = {
  'web-bff': 'WEB_BFF_ROUTES_FILE',
  'mobile-bff': 'MOBILE_BFF_ROUTES_FILE',
  'admin-bff': 'ADMIN_BFF_ROUTES_FILE',
};
const VERSION = /^\d{1,4}(\.\d{1,6}){0,2}$/;

function readRoutesFile(r: EnvReader, app: BffAppName, cwd: string): string | undefined {
  const value = r.raw(APP_ENV[app]) ?? `apps/${app}/routes.json`;
  if (value === 'none') return undefined;
  return isAbsolute(value) ? value : resolve(cwd, value);
}

const HOST = /^(?=.{1,253}(?::\d{1,5})?$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$/;

function readPublicHost(r: EnvReader): string | undefined {
  const value = r.raw('BFF_PUBLIC_HOST');
  if (value === undefined || value === '') return undefined;
  if (!HOST.test(value)) {
    r.problems.push(`BFF_PUBLIC_HOST must be a host name with an optional port (got "${value}")`);
    return undefined;
  }
  return value.toLowerCase();
}

/**
 * Reads the routing section. `services` are the registry names, for the per-service balancing
 * variables; `cwd` resolves relative route table paths.
 */
export function readRoutingConfig(
  r: EnvReader,
  services: readonly string[],
  cwd: string = process.cwd(),
): RoutingConfig {
  const upstreams: Record<string, UpstreamBalancingConfig> = {};
  for (const name of services) {
    const prefix = `DOWNSTREAM_${name.toUpperCase().replace(/-/g, '_')}`;
    upstreams[name] = {
      strategy: r.oneOf(
        `${prefix}_BALANCER`,
        ['round-robin', 'least-pending'] as const,
        'round-robin',
      ),
      ejectAfterFailures: r.int(`${prefix}_EJECT_AFTER`, 5, 0, 1_000),
      ejectMs: r.int(`${prefix}_EJECT_MS`, 10_000, 100, 3_600_000),
      canaryUrls: r.urls(`${prefix}_CANARY_URL`, [], ['http:', 'https:']),
    };
  }

  const minVersion = r.raw('MOBILE_MIN_APP_VERSION') ?? '1.0.0';
  if (minVersion !== 'none' && !VERSION.test(minVersion)) {
    r.problems.push(
      `MOBILE_MIN_APP_VERSION must be a version like 2.3.0, or none (got "${minVersion}")`,
    );
  }
  const secret = r.raw('MOBILE_CURSOR_SECRET');
  if (secret !== undefined && secret.length < 16) {
    r.problems.push('MOBILE_CURSOR_SECRET must be at least 16 characters long');
  }

  return {
    routesFiles: {
      'web-bff': readRoutesFile(r, 'web-bff', cwd),
      'mobile-bff': readRoutesFile(r, 'mobile-bff', cwd),
      'admin-bff': readRoutesFile(r, 'admin-bff', cwd),
    },
    upstreams,
    mobileMinAppVersion: minVersion === 'none' ? undefined : minVersion,
    cursorSecret: secret ?? randomBytes(32).toString('base64url'),
    docsEnabled: r.bool('BFF_DOCS_ENABLED', true),
    publicHost: readPublicHost(r),
    proxyResponseTimeoutMs: r.int('BFF_PROXY_RESPONSE_TIMEOUT_MS', 60_000, 100, 3_600_000),
    proxyMaxResponseBytes: r.int('BFF_PROXY_MAX_RESPONSE_BYTES', 268_435_456, 1, 17_179_869_184),
  };
}
