import type { EnvReader } from './env-reader';

/** The sandbox's development identity provider (a real `oidc-provider` instance). */
export interface SandboxIdpConfig {
  /** Port of the identity provider: `SANDBOX_IDP_PORT`, default control port + 6 (4006). */
  readonly port: number;
  /**
   * Issuer identifier, i.e. the IdP's public base URL: `SANDBOX_IDP_ISSUER`, default
   * `http://<SANDBOX_HOST>:<port>` (loopback when the host is a wildcard).
   */
  readonly issuer: string;
  /** Lifetime of access tokens it issues: `SANDBOX_IDP_ACCESS_TOKEN_TTL_SECONDS`, default 300. */
  readonly accessTokenTtlSeconds: number;
  /** Lifetime of refresh tokens: `SANDBOX_IDP_REFRESH_TOKEN_TTL_SECONDS`, default 86400. */
  readonly refreshTokenTtlSeconds: number;
}

/** Reads the `SANDBOX_IDP_*` variables; the defaults follow the sandbox host and control port. */
export function readSandboxIdpConfig(
  r: EnvReader,
  sandboxHost: string,
  sandboxPort: number,
): SandboxIdpConfig {
  const port = r.int('SANDBOX_IDP_PORT', sandboxPort === 0 ? 0 : sandboxPort + 6, 0, 65_535);
  const host = sandboxHost === '0.0.0.0' || sandboxHost === '::' ? '127.0.0.1' : sandboxHost;
  const fallback = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const issuer = r.urls('SANDBOX_IDP_ISSUER', [fallback], ['http:', 'https:']);
  if (issuer.length > 1) r.problems.push('SANDBOX_IDP_ISSUER must be a single URL');
  return {
    port,
    issuer: issuer[0] ?? fallback,
    accessTokenTtlSeconds: r.int('SANDBOX_IDP_ACCESS_TOKEN_TTL_SECONDS', 300, 1, 86_400),
    refreshTokenTtlSeconds: r.int('SANDBOX_IDP_REFRESH_TOKEN_TTL_SECONDS', 86_400, 60, 2_592_000),
  };
}
