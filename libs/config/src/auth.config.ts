import type { BffAppName } from './config.types';
import type { EnvReader } from './env-reader';

/**
 * Asymmetric JWS algorithms an OIDC issuer may be trusted with (those jsonwebtoken verifies);
 * HS* and `none` never are.
 */
export const OIDC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;

export type OidcAlgorithm = (typeof OIDC_ALGORITHMS)[number];

/** One trusted OpenID Connect issuer. */
export interface OidcIssuerConfig {
  /** Exact `iss` value; its discovery document lives at `<url>/.well-known/openid-configuration`. */
  readonly url: string;
  /** Algorithms accepted for this issuer, whatever a token's header claims. */
  readonly algorithms: readonly OidcAlgorithm[];
}

/** Shared-secret (HS256) tokens minted by trusted internal callers. */
export interface InternalTokenConfig {
  /** HMAC secret, at least 32 characters. */
  readonly secret: string;
  /** `iss` of internal tokens; tokens naming it are verified with the secret only. */
  readonly issuer: string;
}

/** Where API keys live and how long a Redis lookup is cached. */
export interface ApiKeysConfig {
  /** `redis` (hash `bff:apikeys`, needs REDIS_URL) or `file` (JSON file reloaded on change). */
  readonly store: 'file' | 'redis';
  /** JSON file of hashed keys (file store). */
  readonly file: string;
  /** Backstop lifetime of a cached Redis lookup; revocations also invalidate it at once via pub/sub. */
  readonly cacheMs: number;
}

/**
 * Verified bearer tokens kept in memory so a token is not re-verified on every request (as Kong
 * and Envoy do). Only tokens that passed every check are kept, never past their `exp`.
 */
export interface TokenCacheConfig {
  /** Most tokens kept per BFF (insertion-order eviction); 0 turns the cache off. */
  readonly maxEntries: number;
  /** Longest an entry is trusted, whatever its `exp`, so key rotation takes effect. */
  readonly ttlMs: number;
}

/** Revoked tokens, subjects and clients (the auth lib's revocation store). */
export interface RevocationConfig {
  /** `redis` (shared by every instance, needs REDIS_URL) or `memory` (this instance only). */
  readonly store: 'memory' | 'redis';
  /** How often an instance checks Redis for changes it missed (pub/sub carries them at once). */
  readonly syncMs: number;
  /**
   * Longest an entry is kept (a token revoked with its `exp` known goes at its `exp`). Keep it at
   * least the longest token lifetime and session lifetime, or old credentials come back.
   */
  readonly maxTtlSeconds: number;
}

/** The admin audit trail. */
export interface AuditConfig {
  /** Append-only JSONL file, fsynced before the response is sent. */
  readonly path: string;
  /** Optional Redis stream that also receives every record (needs REDIS_URL). */
  readonly redisStream: string | undefined;
}

/** Short-lived signed identity for downstreams (`X-Internal-Token`). */
export interface DownstreamTokenConfig {
  /** HMAC secret shared with the downstreams, at least 32 characters. */
  readonly secret: string;
  /** Lifetime of a token in seconds. */
  readonly ttlSeconds: number;
  /** `iss` of the tokens. */
  readonly issuer: string;
}

/** Authentication and authorization of the BFFs. */
export interface AuthConfig {
  /** Trusted OIDC issuers (bearer JWTs verified against their JWKS). */
  readonly oidcIssuers: readonly OidcIssuerConfig[];
  /** The `aud` each BFF requires. */
  readonly audiences: Readonly<Record<BffAppName, string>>;
  /** HS256 tokens of internal callers; undefined disables them. */
  readonly internal: InternalTokenConfig | undefined;
  /** Tolerated clock skew for `exp`/`nbf`/`iat`, in seconds. */
  readonly clockLeewaySeconds: number;
  /** Longest bearer token accepted, in bytes (longer ones are refused unparsed). */
  readonly maxTokenBytes: number;
  /** Minimum time between two JWKS fetches of one issuer triggered by unknown `kid`s. */
  readonly jwksCooldownMs: number;
  /** Keys older than this are refreshed in the background on the next use. */
  readonly jwksMaxAgeMs: number;
  /** Timeout of a discovery or JWKS fetch. */
  readonly jwksTimeoutMs: number;
  /** Accepted JOSE `typ` header values (a missing `typ` counts as `JWT`). */
  readonly tokenTypes: readonly string[];
  readonly apiKeys: ApiKeysConfig;
  /** Cache of verified bearer tokens (`AUTH_TOKEN_CACHE_MAX`, `AUTH_TOKEN_CACHE_TTL_MS`). */
  readonly tokenCache: TokenCacheConfig;
  /** `AUTH_REVOCATION_STORE`, `AUTH_REVOCATION_SYNC_MS`, `AUTH_REVOCATION_MAX_TTL_SECONDS`. */
  readonly revocation: RevocationConfig;
  readonly audit: AuditConfig;
  /** Signed identity for downstreams; undefined sends only the `X-User-*` headers. */
  readonly downstreamToken: DownstreamTokenConfig | undefined;
}

const SECRET_MIN = 32;

function secret(r: EnvReader, name: string): string | undefined {
  const value = r.raw(name);
  if (value !== undefined && value.length < SECRET_MIN) {
    r.problems.push(`${name} must be at least ${SECRET_MIN} characters long`);
    return undefined;
  }
  return value;
}

function algorithms(r: EnvReader, name: string, values: readonly string[]): OidcAlgorithm[] {
  const bad = values.filter((a) => !(OIDC_ALGORITHMS as readonly string[]).includes(a));
  if (bad.length > 0 || values.length === 0) {
    r.problems.push(
      `${name} must list algorithms among ${OIDC_ALGORITHMS.join(', ')} (got "${values.join(' ')}")`,
    );
    return [];
  }
  return values as OidcAlgorithm[];
}

/**
 * `AUTH_OIDC_ISSUERS` is a comma list of entries `URL [ALG ...]`, e.g.
 * `https://idp.example.com RS256 PS256, http://127.0.0.1:4006`; entries without algorithms get
 * `AUTH_OIDC_ALGORITHMS`.
 */
function readIssuers(
  r: EnvReader,
  fallback: string | undefined,
  defaults: readonly OidcAlgorithm[],
): OidcIssuerConfig[] {
  const raw = r.raw('AUTH_OIDC_ISSUERS') ?? fallback;
  if (raw === undefined || raw === 'none') return [];
  const issuers: OidcIssuerConfig[] = [];
  for (const entry of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [url, ...algs] = entry.split(/\s+/);
    try {
      const parsed = new URL(url);
      if (!['http:', 'https:'].includes(parsed.protocol) || parsed.search || parsed.hash)
        throw new Error();
    } catch {
      r.problems.push(`AUTH_OIDC_ISSUERS must list http(s) issuer URLs (got "${url}")`);
      continue;
    }
    issuers.push({
      // The issuer identifier is compared byte for byte with `iss`: keep it as written.
      url,
      algorithms: algs.length === 0 ? defaults : algorithms(r, 'AUTH_OIDC_ISSUERS', algs),
    });
  }
  return issuers;
}

/** Reads the `auth` section; the sandbox IdP (SANDBOX_PORT + 6) is the default issuer outside production. */
export function readAuthConfig(
  r: EnvReader,
  options: {
    production: boolean;
    sandbox: { host: string; port: number };
    redisUrl: string | undefined;
  },
): AuthConfig {
  const defaults = algorithms(
    r,
    'AUTH_OIDC_ALGORITHMS',
    r.list('AUTH_OIDC_ALGORITHMS', ['RS256', 'ES256']),
  );
  const sandboxIdp = options.production
    ? undefined
    : `http://${options.sandbox.host}:${options.sandbox.port + 6}`;
  const internalSecret = secret(r, 'AUTH_INTERNAL_HS256_SECRET');
  const downstreamSecret = secret(r, 'AUTH_DOWNSTREAM_TOKEN_SECRET');
  const store = r.oneOf(
    'AUTH_API_KEYS_STORE',
    ['file', 'redis'] as const,
    options.redisUrl === undefined ? 'file' : 'redis',
  );
  if (store === 'redis' && options.redisUrl === undefined) {
    r.problems.push('AUTH_API_KEYS_STORE=redis needs REDIS_URL');
  }
  const auditStream = r.raw('AUDIT_REDIS_STREAM');
  if (auditStream !== undefined && options.redisUrl === undefined) {
    r.problems.push('AUDIT_REDIS_STREAM needs REDIS_URL');
  }
  const revocationStore = r.oneOf(
    'AUTH_REVOCATION_STORE',
    ['memory', 'redis'] as const,
    options.redisUrl === undefined ? 'memory' : 'redis',
  );
  if (revocationStore === 'redis' && options.redisUrl === undefined) {
    r.problems.push('AUTH_REVOCATION_STORE=redis needs REDIS_URL');
  }
  const tokenTypes = r.list('AUTH_TOKEN_TYPES', ['at+jwt', 'application/at+jwt', 'JWT']);
  if (tokenTypes.length === 0) r.problems.push('AUTH_TOKEN_TYPES must not be empty');
  return {
    oidcIssuers: readIssuers(r, sandboxIdp, defaults),
    audiences: {
      'web-bff': r.raw('AUTH_AUDIENCE_WEB') ?? 'web-bff',
      'mobile-bff': r.raw('AUTH_AUDIENCE_MOBILE') ?? 'mobile-bff',
      'admin-bff': r.raw('AUTH_AUDIENCE_ADMIN') ?? 'admin-bff',
    },
    internal:
      internalSecret === undefined
        ? undefined
        : {
            secret: internalSecret,
            issuer: r.raw('AUTH_INTERNAL_ISSUER') ?? 'bff-internal',
          },
    clockLeewaySeconds: r.int('AUTH_CLOCK_LEEWAY_SECONDS', 10, 0, 300),
    maxTokenBytes: r.int('AUTH_MAX_TOKEN_BYTES', 8_192, 256, 65_536),
    jwksCooldownMs: r.int('AUTH_JWKS_COOLDOWN_MS', 30_000, 0, 3_600_000),
    jwksMaxAgeMs: r.int('AUTH_JWKS_MAX_AGE_MS', 600_000, 1_000, 86_400_000),
    jwksTimeoutMs: r.int('AUTH_JWKS_TIMEOUT_MS', 3_000, 100, 60_000),
    tokenTypes,
    apiKeys: {
      store,
      file: r.raw('AUTH_API_KEYS_FILE') ?? './.data/api-keys.json',
      cacheMs: r.int('AUTH_API_KEYS_CACHE_MS', 60_000, 0, 3_600_000),
    },
    tokenCache: {
      maxEntries: r.int('AUTH_TOKEN_CACHE_MAX', 10_000, 0, 1_000_000),
      ttlMs: r.int('AUTH_TOKEN_CACHE_TTL_MS', 300_000, 1_000, 3_600_000),
    },
    revocation: {
      store: revocationStore,
      syncMs: r.int('AUTH_REVOCATION_SYNC_MS', 2_000, 100, 60_000),
      maxTtlSeconds: r.int('AUTH_REVOCATION_MAX_TTL_SECONDS', 86_400, 60, 2_592_000),
    },
    audit: {
      path: r.raw('AUDIT_LOG_PATH') ?? './.data/audit.log',
      redisStream: auditStream,
    },
    downstreamToken:
      downstreamSecret === undefined
        ? undefined
        : {
            secret: downstreamSecret,
            ttlSeconds: r.int('AUTH_DOWNSTREAM_TOKEN_TTL_SECONDS', 60, 5, 3_600),
            issuer: r.raw('AUTH_DOWNSTREAM_TOKEN_ISSUER') ?? 'bff',
          },
  };
}
