import type { EnvReader } from './env-reader';

/**
 * Limits that bound every phase of reading a request, applied by the HTTP server before any
 * hook, guard or handler (libs/core). Each has a documented default in README.md.
 */
export interface RequestLimitsConfig {
  /** Most request headers accepted (`BFF_MAX_HEADERS`); more get 431. */
  readonly maxHeaders: number;
  /** Largest request line plus headers, in bytes (`BFF_MAX_HEADER_BYTES`); larger get 431. */
  readonly maxHeaderBytes: number;
  /** Time for the request line and headers to arrive, in ms (`BFF_HEADERS_TIMEOUT_MS`); then 408. */
  readonly headersTimeoutMs: number;
  /** Time for the whole request, body included (chunked too), in ms (`BFF_REQUEST_TIMEOUT_MS`); then 408. */
  readonly requestTimeoutMs: number;
  /** Idle time after which a keep-alive connection is closed, in ms (`BFF_KEEP_ALIVE_TIMEOUT_MS`). */
  readonly keepAliveTimeoutMs: number;
  /** Open connections per client address (`BFF_MAX_CONNECTIONS_PER_IP`); 0 = no cap. */
  readonly maxConnectionsPerIp: number;
  /** Deepest nesting of a JSON body (`BFF_JSON_MAX_DEPTH`); deeper gets 400 `BODY_TOO_DEEP`. */
  readonly jsonMaxDepth: number;
  /** Largest JSON body parsed, in bytes (`BFF_JSON_MAX_BYTES`, at most `BFF_BODY_LIMIT_BYTES`); larger gets 413. */
  readonly jsonMaxBytes: number;
}

/** What a BFF forwards to downstreams (libs/downstream `HeaderPolicy`). */
export interface HeaderPolicyConfig {
  /**
   * Client header names containing `_` that are forwarded (`BFF_HEADER_UNDERSCORE_ALLOW`,
   * lower-case); every other such name is dropped. Reserved names stay dropped in any spelling.
   */
  readonly underscoreAllowList: readonly string[];
}

/** The one path rule of every BFF (libs/core `pathRuleViolation`). */
export interface PathRuleConfig {
  /**
   * `;` in a path, literal or `%3b` (`BFF_PATH_SEMICOLONS`): `reject` (default, 400) or `allow`
   * (matrix parameters pass; `.;` and `..;` segments are refused either way).
   */
  readonly semicolons: 'reject' | 'allow';
}

/** The edge of every BFF: request limits, forwarded headers, the path rule. */
export interface EdgeConfig {
  readonly limits: RequestLimitsConfig;
  readonly headers: HeaderPolicyConfig;
  readonly paths: PathRuleConfig;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** Reads the edge section; `bodyLimitBytes` (`BFF_BODY_LIMIT_BYTES`) caps the JSON limit. */
export function readEdgeConfig(r: EnvReader, bodyLimitBytes: number): EdgeConfig {
  const requestTimeoutMs = r.int('BFF_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  const headersTimeoutMs = r.int('BFF_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    // Node refuses a head timeout longer than the whole request's.
    r.problems.push(
      `BFF_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed BFF_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  }
  const jsonMaxBytes = r.int(
    'BFF_JSON_MAX_BYTES',
    Math.min(262_144, bodyLimitBytes),
    64,
    104_857_600,
  );
  if (jsonMaxBytes > bodyLimitBytes) {
    r.problems.push(
      `BFF_JSON_MAX_BYTES (${jsonMaxBytes}) must not exceed BFF_BODY_LIMIT_BYTES (${bodyLimitBytes})`,
    );
  }
  const underscoreAllowList = r
    .list('BFF_HEADER_UNDERSCORE_ALLOW', [])
    .map((name) => name.toLowerCase());
  for (const name of underscoreAllowList) {
    if (!HEADER_NAME.test(name)) {
      r.problems.push(`BFF_HEADER_UNDERSCORE_ALLOW has an invalid header name "${name}"`);
    }
  }
  return {
    limits: {
      maxHeaders: r.int('BFF_MAX_HEADERS', 100, 10, 1_000),
      maxHeaderBytes: r.int('BFF_MAX_HEADER_BYTES', 16_384, 1_024, 1_048_576),
      headersTimeoutMs,
      requestTimeoutMs,
      keepAliveTimeoutMs: r.int('BFF_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 600_000),
      maxConnectionsPerIp: r.int('BFF_MAX_CONNECTIONS_PER_IP', 256, 0, 1_000_000),
      jsonMaxDepth: r.int('BFF_JSON_MAX_DEPTH', 32, 1, 1_000),
      jsonMaxBytes,
    },
    headers: { underscoreAllowList },
    paths: { semicolons: r.oneOf('BFF_PATH_SEMICOLONS', ['reject', 'allow'] as const, 'reject') },
  };
}
