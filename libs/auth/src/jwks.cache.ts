import type { OidcAlgorithm, OidcIssuerConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import { type JsonWebKey, KeyObject, createPublicKey } from 'node:crypto';
import { AuthProviderUnavailableError, InvalidCredentialsError } from './auth.errors';
import { authMetrics } from './auth.metrics';

export interface JwksCacheOptions {
  /** Minimum time between two fetches triggered by unknown `kid`s. */
  cooldownMs: number;
  /** Keys older than this are refreshed in the background on next use. */
  maxAgeMs: number;
  /** Timeout of one discovery or JWKS fetch. */
  timeoutMs: number;
  /** Replaceable for tests. */
  fetch?: typeof fetch;
}

interface TrustedKey {
  readonly kid: string | undefined;
  readonly alg: string | undefined;
  readonly key: KeyObject;
}

/** Which key types may verify which algorithm: the key confusion guard (RFC 8725 §2.1). */
function fits(alg: string, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  if (alg.startsWith('RS') || alg.startsWith('PS')) return type === 'rsa' || type === 'rsa-pss';
  if (type !== 'ec') return false;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (alg === 'ES256') return curve === 'prime256v1';
  if (alg === 'ES384') return curve === 'secp384r1';
  if (alg === 'ES512') return curve === 'secp521r1';
  return false;
}

const MAX_DOCUMENT_BYTES = 512 * 1024;
const NEGATIVE_CACHE_LIMIT = 1024;
/** Retry gap while an issuer has never answered: short, so a late IdP start is picked up fast. */
const UNREACHABLE_RETRY_MS = 1_000;

/**
 * Keys of one OIDC issuer: discovery document -> `jwks_uri` -> JWKS, kept in memory.
 * Steady state never fetches. An unknown `kid` causes at most one fetch per cooldown, shared by
 * every request waiting for it (single flight); kids still unknown afterwards are remembered
 * (negative cache) until the next allowed fetch. Stale keys are refreshed in the background.
 */
export class IssuerKeys {
  private readonly logger = new Logger('Jwks');
  private readonly fetchImpl: typeof fetch;
  private keys: TrustedKey[] = [];
  private jwksUri: string | undefined;
  private loaded = false;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private readonly unknownKids = new Map<string, number>();

  constructor(
    readonly issuer: OidcIssuerConfig,
    private readonly options: JwksCacheOptions,
  ) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** The key for a token's `kid` and (already allowed) `alg`. */
  async keyFor(kid: string | undefined, alg: OidcAlgorithm): Promise<KeyObject> {
    const now = performance.now();
    if (
      this.loaded &&
      this.inflight === undefined &&
      now - this.fetchedAt > this.options.maxAgeMs
    ) {
      this.refresh().catch(() => undefined);
    }
    const known = this.find(kid, alg);
    if (known !== undefined) return known;
    if (this.inflight !== undefined) {
      await this.inflight.catch(() => undefined);
      return this.found(kid, alg);
    }
    const kidKey = kid ?? '';
    if ((this.unknownKids.get(kidKey) ?? 0) > now) return this.found(kid, alg);
    const gap = this.loaded ? this.options.cooldownMs : UNREACHABLE_RETRY_MS;
    if (now - this.attemptedAt < gap) {
      this.rememberUnknown(kidKey, this.attemptedAt + gap);
      return this.found(kid, alg);
    }
    await this.refresh().catch(() => undefined);
    const after = this.find(kid, alg);
    if (after === undefined) this.rememberUnknown(kidKey, this.attemptedAt + gap);
    return this.found(kid, alg);
  }

  /** Fetches the discovery document (once) and the JWKS; concurrent callers share one fetch. */
  refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async load(): Promise<void> {
    this.attemptedAt = performance.now();
    try {
      this.jwksUri ??= await this.discover();
      const jwks = await this.getJson(this.jwksUri);
      const keys = this.importKeys(jwks);
      this.keys = keys;
      this.loaded = true;
      this.fetchedAt = performance.now();
      this.unknownKids.clear();
      authMetrics().jwksFetches.inc({ outcome: 'ok' });
    } catch (error) {
      authMetrics().jwksFetches.inc({ outcome: 'error' });
      this.logger.warn(
        `keys of ${this.issuer.url} unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
  }

  private async discover(): Promise<string> {
    const doc = await this.getJson(
      `${this.issuer.url.replace(/\/$/, '')}/.well-known/openid-configuration`,
    );
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

  private async getJson(url: string): Promise<Record<string, unknown>> {
    const res = await this.fetchImpl(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`${url} sent an oversized document`);
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) throw new Error(`${url} sent no JSON object`);
    return body as Record<string, unknown>;
  }

  private importKeys(jwks: Record<string, unknown>): TrustedKey[] {
    if (!Array.isArray(jwks.keys)) throw new Error('JWKS has no keys array');
    const keys: TrustedKey[] = [];
    for (const jwk of jwks.keys as Record<string, unknown>[]) {
      if (typeof jwk !== 'object' || jwk === null) continue;
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') continue;
      try {
        // Only the public members are imported, even if a careless IdP publishes more.
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
        keys.push({
          kid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
          alg: typeof jwk.alg === 'string' ? jwk.alg : undefined,
          key: createPublicKey({ key: pub as JsonWebKey, format: 'jwk' }),
        });
      } catch {
        this.logger.warn(`skipping an unusable key of ${this.issuer.url}`);
      }
    }
    return keys;
  }

  private find(kid: string | undefined, alg: OidcAlgorithm): KeyObject | undefined {
    const usable = (k: TrustedKey) => (k.alg === undefined || k.alg === alg) && fits(alg, k.key);
    if (kid !== undefined) {
      const key = this.keys.find((k) => k.kid === kid);
      return key !== undefined && usable(key) ? key.key : undefined;
    }
    // No kid: only unambiguous when the issuer has exactly one key for this algorithm.
    const candidates = this.keys.filter(usable);
    return candidates.length === 1 ? candidates[0].key : undefined;
  }

  private found(kid: string | undefined, alg: OidcAlgorithm): KeyObject {
    const key = this.find(kid, alg);
    if (key !== undefined) return key;
    if (!this.loaded) {
      throw new AuthProviderUnavailableError(Math.ceil(UNREACHABLE_RETRY_MS / 1000));
    }
    throw new InvalidCredentialsError('The token was signed with an unknown key', 'unknown_key');
  }

  private rememberUnknown(kid: string, until: number): void {
    // Bounded: random kids from an attacker must not grow memory.
    if (this.unknownKids.size >= NEGATIVE_CACHE_LIMIT) this.unknownKids.clear();
    this.unknownKids.set(kid, until);
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
