import type { OidcAlgorithm, OidcIssuerConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import { createRemoteJWKSet, customFetch } from 'jose';
import { KeyObject, type webcrypto } from 'node:crypto';
import { AuthProviderUnavailableError, InvalidCredentialsError } from './auth.errors';
import { authMetrics } from './auth.metrics';

export interface JwksCacheOptions {
  /** Minimum time between two fetches triggered by unknown `kid`s (or after a failed fetch). */
  cooldownMs: number;
  /** Keys older than this are refreshed in the background on next use. */
  maxAgeMs: number;
  /** Timeout of one discovery or JWKS fetch. */
  timeoutMs: number;
  /** Replaceable for tests. */
  fetch?: typeof fetch;
}

type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;

const MAX_DOCUMENT_BYTES = 512 * 1024;
/** Retry gap while an issuer has never answered: short, so a late IdP start is picked up fast. */
const UNREACHABLE_RETRY_MS = 1_000;
/** Private members of RSA and EC JWKs: never imported, even if a careless IdP publishes them. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/** An attempt not made, within the gap after a failure: nothing fetched, nothing to report. */
class HeldBack extends Error {}

/** jose hands out CryptoKeys, cached per JWK; passport-jwt's jsonwebtoken wants KeyObjects. */
const keyObjects = new WeakMap<object, KeyObject>();
function asKeyObject(key: webcrypto.CryptoKey | Uint8Array): KeyObject {
  if (key instanceof Uint8Array) throw new Error('not an asymmetric key');
  let object = keyObjects.get(key);
  if (object === undefined) keyObjects.set(key, (object = KeyObject.from(key)));
  return object;
}

/**
 * Keys of one OIDC issuer: discovery document (ours: jose does no discovery) -> `jwks_uri` ->
 * jose's `createRemoteJWKSet`, which keeps the set in memory, fetches once for all concurrent
 * callers, refetches for an unknown `kid` at most once per cooldown (a kid still unknown is refused
 * without a fetch until then: the negative cache) and picks the key by `kid`, `alg`, `kty`, `crv`
 * and `use`, so a key never verifies another algorithm family (RFC 8725 section 2.1). Around it:
 * a fetch is also held back for the cooldown after a failure, stale keys are refreshed in the
 * background instead of on the request, and the JWKS is bounded in size and stripped of private
 * members before jose reads it.
 */
export class IssuerKeys {
  private readonly logger = new Logger('Jwks');
  private readonly fetchImpl: typeof fetch;
  private remote: RemoteKeys | undefined;
  private discovering: Promise<RemoteKeys> | undefined;
  private loaded = false;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private failedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly issuer: OidcIssuerConfig,
    private readonly options: JwksCacheOptions,
  ) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** The key for a token's `kid` and (already allowed) `alg`. */
  async keyFor(kid: string | undefined, alg: OidcAlgorithm): Promise<KeyObject> {
    const remote = await this.remoteKeys().catch(() => undefined);
    if (remote === undefined) throw this.unavailable();
    if (
      this.loaded &&
      !remote.reloading &&
      performance.now() - this.fetchedAt > this.options.maxAgeMs
    ) {
      remote.reload().catch(() => undefined);
    }
    try {
      return asKeyObject(await remote({ alg, kid }));
    } catch {
      if (!this.loaded) throw this.unavailable();
      // No key (or no unambiguous one) for this kid/alg, also while a refetch is held back.
      throw new InvalidCredentialsError('The token was signed with an unknown key', 'unknown_key');
    }
  }

  /** Fetches the discovery document (once) and the JWKS; concurrent callers share one fetch. */
  async refresh(): Promise<void> {
    await (await this.remoteKeys()).reload();
  }

  private unavailable(): AuthProviderUnavailableError {
    return new AuthProviderUnavailableError(Math.ceil(UNREACHABLE_RETRY_MS / 1000));
  }

  /** jose's key set for the discovered `jwks_uri`, discovering it first (single flight). */
  private remoteKeys(): Promise<RemoteKeys> {
    if (this.remote !== undefined) return Promise.resolve(this.remote);
    this.discovering ??= this.discover()
      .then((jwksUri) => {
        this.remote = createRemoteJWKSet(new URL(jwksUri), {
          cooldownDuration: this.options.cooldownMs,
          // Never stale to jose, which would refetch on the request: refreshed in the background.
          cacheMaxAge: Number.POSITIVE_INFINITY,
          timeoutDuration: this.options.timeoutMs,
          [customFetch]: (url: string, init: RequestInit) => this.fetchJwks(url, init),
        });
        return this.remote;
      })
      .catch((error: unknown) => {
        this.failed(error);
        throw error;
      })
      .finally(() => {
        this.discovering = undefined;
      });
    return this.discovering;
  }

  private async discover(): Promise<string> {
    this.holdBack();
    const url = `${this.issuer.url.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const doc = await this.getJson(url, { signal: AbortSignal.timeout(this.options.timeoutMs) });
    // OIDC Discovery §4.3: the document must name exactly the issuer it was fetched for.
    if (doc.issuer !== this.issuer.url) {
      throw new Error(
        `discovery names issuer "${String(doc.issuer)}", expected ${this.issuer.url}`,
      );
    }
    if (typeof doc.jwks_uri !== 'string' || !/^https?:\/\//.test(doc.jwks_uri)) {
      throw new Error('discovery document has no usable jwks_uri');
    }
    return doc.jwks_uri;
  }

  /** jose's fetch: bounded, private members dropped, held back after a failure, counted. */
  private async fetchJwks(url: string, init: RequestInit): Promise<Response> {
    this.holdBack();
    try {
      const jwks = await this.getJson(url, init);
      if (!Array.isArray(jwks.keys)) throw new Error('JWKS has no keys array');
      jwks.keys = (jwks.keys as unknown[]).map((jwk) => {
        if (typeof jwk !== 'object' || jwk === null) return jwk;
        const pub: Record<string, unknown> = { ...jwk };
        for (const member of PRIVATE_MEMBERS) delete pub[member];
        return pub;
      });
      this.loaded = true;
      this.fetchedAt = performance.now();
      authMetrics().jwksFetches.inc({ outcome: 'ok' });
      return Response.json(jwks);
    } catch (error) {
      this.failed(error);
      throw error;
    }
  }

  /** At most one attempt per gap after a failure: the cooldown, or a short one until first loaded. */
  private holdBack(): void {
    const gap = this.loaded ? this.options.cooldownMs : UNREACHABLE_RETRY_MS;
    if (performance.now() - this.failedAt < gap) {
      throw new HeldBack(`keys of ${this.issuer.url}: retry held back after a failure`);
    }
  }

  private failed(error: unknown): void {
    if (error instanceof HeldBack) return;
    const message = error instanceof Error ? error.message : String(error);
    this.failedAt = performance.now();
    authMetrics().jwksFetches.inc({ outcome: 'error' });
    this.logger.warn(`keys of ${this.issuer.url} unavailable: ${message}`);
  }

  private async getJson(url: string, init: RequestInit): Promise<Record<string, unknown>> {
    const res = await this.fetchImpl(url, {
      ...init,
      headers: { accept: 'application/json' },
      redirect: 'error',
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`${url} sent an oversized document`);
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) throw new Error(`${url} sent no JSON object`);
    return body as Record<string, unknown>;
  }
}

/** The key sets of every configured issuer, by issuer URL. */
export class JwksCache {
  private readonly issuers = new Map<string, IssuerKeys>();

  constructor(issuers: readonly OidcIssuerConfig[], options: JwksCacheOptions) {
    for (const issuer of issuers) this.issuers.set(issuer.url, new IssuerKeys(issuer, options));
  }

  /** The allow-list lookup: undefined for an issuer that is not trusted. */
  issuer(url: string): IssuerKeys | undefined {
    return this.issuers.get(url);
  }

  urls(): string[] {
    return [...this.issuers.keys()];
  }

  /** Loads every issuer's keys in the background so the first requests need not wait. */
  warmUp(): void {
    for (const keys of this.issuers.values()) keys.refresh().catch(() => undefined);
  }
}
