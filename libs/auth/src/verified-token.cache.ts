import type { Principal } from '@app/core';
import { authMetrics } from './auth.metrics';
import type { JwtClaims } from './jwt.token';

/** Settings of a {@link VerifiedTokenCache}. */
export interface VerifiedTokenCacheOptions {
  /** Most tokens kept; the oldest inserted goes first. 0 turns the cache off. */
  readonly maxEntries: number;
  /** Longest an entry is trusted whatever its `exp`, so a key rotation takes effect. */
  readonly ttlMs: number;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

interface Entry {
  readonly principal: Principal;
  /** min(exp, verifiedAt + ttl), in milliseconds. */
  readonly expiresAt: number;
}

/**
 * Bearer tokens that passed every check, keyed by the exact token string, so a token is verified
 * (signature, issuer, audience, type, claims) once instead of on every request, as Kong and Envoy
 * do. One instance per {@link AuthModule}, i.e. per audience: a token verified for one BFF is never
 * a hit for another. A forged token differs from the genuine one in its signature, so it is a
 * different key and always goes through full verification. Entries end strictly at `exp` (the
 * clock leeway only widens verification, never the cache), nothing is kept that is not yet valid,
 * and the bound is enforced on insertion, with no timer.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  // Bound children: no label hashing per request.
  private readonly hits = authMetrics().tokenCache.labels('hit');
  private readonly misses = authMetrics().tokenCache.labels('miss');

  constructor(options: VerifiedTokenCacheOptions) {
    this.maxEntries = options.maxEntries;
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? (() => Date.now());
  }

  get size(): number {
    return this.entries.size;
  }

  /** The principal of a still-valid verified token, or undefined (then verify it in full). */
  get(token: string): Principal | undefined {
    if (this.maxEntries === 0) return undefined;
    const entry = this.entries.get(token);
    if (entry !== undefined) {
      if (this.now() < entry.expiresAt) {
        this.hits.inc();
        return entry.principal;
      }
      this.entries.delete(token);
    }
    this.misses.inc();
    return undefined;
  }

  /**
   * Records a token that has just passed every check, with its (verified) claims. Returns the
   * principal to use, frozen: the cached object is shared by all the token's requests.
   */
  add(token: string, principal: Principal, claims: JwtClaims): Principal {
    const frozen = freezePrincipal(principal);
    if (this.maxEntries === 0) return frozen;
    const now = this.now();
    const exp = claims.exp;
    const nbf = claims.nbf;
    // Accepted within the leeway (already expired, or not valid yet): verify every time.
    if (typeof exp !== 'number' || !(exp * 1000 > now)) return frozen;
    if (nbf !== undefined && !(typeof nbf === 'number' && nbf * 1000 <= now)) return frozen;
    // Re-adding a key moves it to the end; otherwise make room by dropping the oldest insertion.
    if (!this.entries.delete(token) && this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(token, {
      principal: frozen,
      expiresAt: Math.min(exp * 1000, now + this.ttlMs),
    });
    return frozen;
  }

  clear(): void {
    this.entries.clear();
  }
}

function freezePrincipal(principal: Principal): Principal {
  if (Object.isFrozen(principal)) return principal;
  return Object.freeze({
    ...principal,
    roles: Object.freeze([...principal.roles]),
    scopes: Object.freeze([...principal.scopes]),
  });
}
