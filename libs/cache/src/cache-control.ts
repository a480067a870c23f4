/** The directives of a `Cache-Control` header that a shared cache acts on. */
export interface CacheDirectives {
  noStore: boolean;
  noCache: boolean;
  private: boolean;
  public: boolean;
  mustRevalidate: boolean;
  maxAge?: number;
  sMaxAge?: number;
  staleWhileRevalidate?: number;
  staleIfError?: number;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/^"|"$/g, ''));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Parses `Cache-Control` (several headers are joined); unknown directives are ignored. */
export function parseCacheControl(header: string | readonly string[] | undefined): CacheDirectives {
  const out: CacheDirectives = {
    noStore: false,
    noCache: false,
    private: false,
    public: false,
    mustRevalidate: false,
  };
  if (header === undefined) return out;
  const text = typeof header === 'string' ? header : header.join(',');
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : part.slice(eq + 1).trim();
    switch (name) {
      case 'no-store':
        out.noStore = true;
        break;
      case 'no-cache':
        out.noCache = true;
        break;
      case 'private':
        out.private = true;
        break;
      case 'public':
        out.public = true;
        break;
      case 'must-revalidate':
      case 'proxy-revalidate':
        out.mustRevalidate = true;
        break;
      case 'max-age':
        out.maxAge = seconds(value);
        break;
      case 's-maxage':
        out.sMaxAge = seconds(value);
        break;
      case 'stale-while-revalidate':
        out.staleWhileRevalidate = seconds(value);
        break;
      case 'stale-if-error':
        out.staleIfError = seconds(value);
        break;
      default:
        break;
    }
  }
  return out;
}

/** How long a downstream response may be kept by the BFF, which is a shared cache (RFC 9111). */
export interface StoragePolicy {
  freshMs: number;
  swrMs: number;
  sieMs: number;
}

export interface SharedCacheDefaults {
  /** Freshness of a response without any freshness information (0 = not stored). */
  defaultTtlSeconds: number;
  /** stale-if-error window when the response has none. */
  defaultStaleIfErrorSeconds: number;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const first = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[0] : v;

/**
 * Decides whether a shared cache may store a response and for how long, or returns undefined:
 * - only 200s without `Set-Cookie` and without `Vary: *`;
 * - `no-store`, `no-cache` and `private` are never stored (we are shared, and do not revalidate);
 * - a request that carried credentials is stored only when the response says `public`,
 *   `s-maxage` or `must-revalidate` (RFC 9111 §3.5);
 * - freshness: `s-maxage`, then `max-age`, then `Expires`, then the configured default, minus `Age`.
 */
export function sharedStoragePolicy(
  status: number,
  headers: Headers,
  requestHadCredentials: boolean,
  defaults: SharedCacheDefaults,
  now = Date.now(),
): StoragePolicy | undefined {
  if (status !== 200 || headers['set-cookie'] !== undefined) return undefined;
  if (first(headers.vary)?.includes('*')) return undefined;
  const cc = parseCacheControl(headers['cache-control']);
  if (cc.noStore || cc.noCache || cc.private) return undefined;
  if (requestHadCredentials && !cc.public && cc.sMaxAge === undefined && !cc.mustRevalidate) {
    return undefined;
  }
  let freshSeconds = cc.sMaxAge ?? cc.maxAge;
  if (freshSeconds === undefined) {
    const expires = first(headers.expires);
    const date = first(headers.date);
    if (expires !== undefined) {
      const at = Date.parse(expires);
      const base = date === undefined ? now : Date.parse(date);
      freshSeconds =
        Number.isFinite(at) && Number.isFinite(base) ? Math.max(0, (at - base) / 1000) : 0;
    }
  }
  const explicit = freshSeconds !== undefined;
  freshSeconds ??= defaults.defaultTtlSeconds;
  const age = Number(first(headers.age) ?? 0);
  const freshMs = Math.max(0, freshSeconds - (Number.isFinite(age) ? age : 0)) * 1000;
  // must-revalidate forbids serving stale, whatever the stale-* directives say.
  const swrMs = cc.mustRevalidate ? 0 : (cc.staleWhileRevalidate ?? 0) * 1000;
  const sieMs = cc.mustRevalidate
    ? 0
    : (cc.staleIfError ?? (explicit || freshMs > 0 ? defaults.defaultStaleIfErrorSeconds : 0)) *
      1000;
  if (freshMs <= 0 && swrMs <= 0 && sieMs <= 0) return undefined;
  return { freshMs, swrMs, sieMs };
}
