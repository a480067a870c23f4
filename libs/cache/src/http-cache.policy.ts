import CachePolicy from 'http-cache-semantics';

/** How long the BFF lets answers live, around what the origin says (seconds). */
export interface FreshnessBounds {
  /** Freshness of a 200 without any freshness information (0 = none: heuristics only). */
  readonly defaultTtlSeconds: number;
  /** Ceiling on any freshness, the origin's included. */
  readonly maxTtlSeconds: number;
}

/** Why an answer was not stored (a metric label: keep the set small and fixed). */
export type StoreRefusal =
  | 'not-storable'
  | 'no-freshness'
  | 'set-cookie'
  | 'vary-star'
  | 'vary-too-large'
  | 'malformed-cache-control'
  | 'unkeyed-header'
  | 'too-large'
  | 'partial'
  | 'incomplete';

type Headers = Record<string, string>;

/** The parts of http-cache-semantics' policy that the bounds need (not in its public types). */
interface PolicyInternals {
  _status: number;
  _rescc: Record<string, string | boolean>;
  _resHeaders: Headers;
  _hasExplicitExpiration(): boolean;
}

/** Not stored for serving (RFC 9110 §7.6.1); `Age` is computed per answer. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'age',
]);

/** A Vary naming more headers than this, or longer than this, is not stored (cache flooding). */
const MAX_VARY_NAMES = 16;
const MAX_VARY_LENGTH = 512;
/** Directives whose value must be delta-seconds; anything else makes the answer unstorable. */
const NUMERIC = new Set(['max-age', 's-maxage', 'stale-while-revalidate', 'stale-if-error']);
const DELTA_SECONDS = /^(?:\d+|"\d+")$/;
/** IMF-fixdate, RFC 850 and asctime (RFC 9110 §5.6.7). */
const HTTP_DATE =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/i;

/**
 * RFC 9111 policy of one stored answer, decided by http-cache-semantics; the BFF only bounds its
 * freshness: the route's default for 200s that carry no freshness information at all, and the
 * route's ceiling on everything.
 */
export class BoundedPolicy extends CachePolicy {
  bounds: FreshnessBounds = { defaultTtlSeconds: 0, maxTtlSeconds: Number.MAX_SAFE_INTEGER };

  override maxAge(): number {
    const p = this as unknown as PolicyInternals;
    // RFC 9111 §5.3: an Expires that is not a valid HTTP-date means "already expired" (Date.parse
    // accepts far more than HTTP-dates, and would keep such answers fresh).
    const expires = p._resHeaders.expires;
    if (
      expires !== undefined &&
      p._rescc['max-age'] === undefined &&
      p._rescc['s-maxage'] === undefined &&
      !HTTP_DATE.test(expires.trim())
    ) {
      return 0;
    }
    let seconds = super.maxAge();
    if (seconds === 0 && this.bounds.defaultTtlSeconds > 0 && this.takesDefault()) {
      seconds = this.bounds.defaultTtlSeconds;
    }
    return Math.min(seconds, this.bounds.maxTtlSeconds);
  }

  /** must-revalidate only binds once stale (RFC 9111 §5.2.2.2); the library applies it always. */
  override evaluateRequest(request: CachePolicy.HttpRequest): CachePolicy.EvaluateRequestResult {
    const internals = this as unknown as PolicyInternals;
    const must = internals._rescc['must-revalidate'];
    if (must === undefined || this.stale()) return super.evaluateRequest(request);
    delete internals._rescc['must-revalidate'];
    try {
      return super.evaluateRequest(request);
    } finally {
      internals._rescc['must-revalidate'] = must;
    }
  }

  /**
   * The library builds a copy of the response headers for every hit; hits here are served with
   * {@link servedHeaders} (copied once per entry), so the copy is only made if someone reads it
   * (it was about 3 % of a cache-hit profile).
   */
  _evaluateRequestHitResult(
    revalidation: CachePolicy.EvaluateRequestResult['revalidation'],
  ): CachePolicy.EvaluateRequestResult {
    return { response: (this.hit ??= this.lazyHit()), revalidation };
  }

  private hit: NonNullable<CachePolicy.EvaluateRequestResult['response']> | undefined;

  private lazyHit(): NonNullable<CachePolicy.EvaluateRequestResult['response']> {
    const headers = (): Headers => this.responseHeaders() as Headers;
    return {
      get headers() {
        return headers();
      },
      status: (this as unknown as PolicyInternals)._status,
    } as NonNullable<CachePolicy.EvaluateRequestResult['response']>;
  }

  /** The stored `Date` (parsed once: the library parses it on every age computation). */
  override date(): number {
    return (this.parsedDate ??= super.date());
  }

  private parsedDate: number | undefined;

  /**
   * Age (RFC 9111 §5.1): the first value, delta-seconds only; anything else (negative, float,
   * alphabetic) is ignored rather than guessed at.
   */
  _ageValue(): number {
    return (this.storedAge ??= this.parseAge());
  }

  private storedAge: number | undefined;

  private parseAge(): number {
    const value = (this as unknown as PolicyInternals)._resHeaders.age;
    if (value === undefined) return 0;
    const first = value.split(',')[0].trim();
    return /^\d+(?:;.*)?$/.test(first) ? Math.min(parseInt(first, 10), 2 ** 31) : 0;
  }

  /** stale-if-error (RFC 5861): the origin failed, and the answer may stand in for it. */
  allowsStaleOnError(): boolean {
    const sie = Number((this as unknown as PolicyInternals)._rescc['stale-if-error']);
    return Number.isFinite(sie) && sie > 0 && this.maxAge() + sie > this.age();
  }

  /** True for a 200 with no explicit freshness, no validator-based heuristic and nothing against. */
  private takesDefault(): boolean {
    const p = this as unknown as PolicyInternals;
    const cc = p._rescc;
    return (
      p._status === 200 &&
      !p._hasExplicitExpiration() &&
      p._resHeaders['last-modified'] === undefined &&
      cc['no-cache'] === undefined &&
      cc['proxy-revalidate'] === undefined &&
      this.storable()
    );
  }

  /** The stored response headers as received (single values). */
  storedHeaders(): Readonly<Headers> {
    return (this as unknown as PolicyInternals)._resHeaders;
  }

  /** Status of the stored response. */
  storedStatus(): number {
    return (this as unknown as PolicyInternals)._status;
  }

  /**
   * Headers to serve: the stored ones without hop-by-hop (and names listed in `Connection`), the
   * origin's `Date`, and the current `Age`. The copy without `Age` is made once per policy.
   */
  servedHeaders(): Headers {
    if (this.served === undefined) {
      const stored = this.storedHeaders();
      const listed = stored.connection?.split(',').map((t) => t.trim().toLowerCase()) ?? [];
      const base: Headers = {};
      for (const name in stored) {
        if (!HOP_BY_HOP.has(name) && !listed.includes(name)) base[name] = stored[name];
      }
      this.served = base;
    }
    return { ...this.served, age: String(Math.round(this.age())) };
  }

  private served: Headers | undefined;

  static restore(object: CachePolicy.CachePolicyObject, bounds: FreshnessBounds): BoundedPolicy {
    const policy = BoundedPolicy.fromObject(object) as BoundedPolicy;
    policy.bounds = bounds;
    return policy;
  }
}

/** RFC 9213: an sf-dictionary; freshness directives must be sf-integers (no quotes, no decimals). */
function validTargeted(value: string): boolean {
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (!/^[a-z*][a-z0-9_.*-]*$/.test(name)) return false;
    if (eq < 0) continue;
    const v = part.slice(eq + 1).trim();
    if (
      NUMERIC.has(name)
        ? !/^\d{1,15}$/.test(v)
        : !/^(?:\?[01]|-?\d+(?:\.\d+)?|"[^"]*"|[A-Za-z*][\w:/.*-]*)$/.test(v)
    ) {
      return false;
    }
  }
  return true;
}

function lowerCaseNames(cc: Record<string, string | boolean>): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const name in cc) out[name.toLowerCase()] = cc[name];
  return out;
}

/** Lower-case names listed in `Vary`, `'*'`, or `'too-large'`. */
export function varyNames(vary: string | undefined): string[] | '*' | 'too-large' {
  if (vary === undefined) return [];
  if (vary.length > MAX_VARY_LENGTH) return 'too-large';
  const names: string[] = [];
  for (const raw of vary.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '*') return '*';
    if (name !== '' && !names.includes(name)) names.push(name);
  }
  return names.length > MAX_VARY_NAMES ? 'too-large' : names.sort();
}

/** False when a freshness directive has a value that is not delta-seconds (conservative: unstored). */
export function wellFormedCacheControl(header: string | undefined): boolean {
  if (header === undefined) return true;
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    if (NUMERIC.has(name) && !DELTA_SECONDS.test(part.slice(eq + 1).trim())) return false;
  }
  return true;
}

export interface PolicyInput {
  /** Request as the cache sees it: canonical URL, GET, the headers that matter. */
  readonly request: CachePolicy.HttpRequest;
  readonly status: number;
  /** End-to-end response headers (hop-by-hop already removed), single values. */
  readonly headers: Headers;
  /** Shared cache rules (true for everything shared between callers). */
  readonly shared: boolean;
  readonly bounds: FreshnessBounds;
}

/** The policy of a fresh answer, or why it must not be stored. */
export function decidePolicy(input: PolicyInput): BoundedPolicy | StoreRefusal {
  const { headers } = input;
  if (headers['set-cookie'] !== undefined) return 'set-cookie';
  const vary = varyNames(headers.vary);
  if (vary === '*') return 'vary-star';
  if (vary === 'too-large') return 'vary-too-large';
  if (!wellFormedCacheControl(headers['cache-control'])) return 'malformed-cache-control';
  const policy = new BoundedPolicy(
    input.request,
    { status: input.status, headers },
    { shared: input.shared },
  );
  const internals = policy as unknown as PolicyInternals;
  // Directive names are case-insensitive (RFC 9111 §5.2); the library matches them as written.
  internals._rescc = lowerCaseNames(internals._rescc);
  // CDN-Cache-Control (RFC 9213) targets caches like this one and replaces Cache-Control here.
  const targeted = headers['cdn-cache-control'];
  // A field that is not a valid structured dictionary of known types is ignored (RFC 9213 §2.1).
  if (input.shared && targeted !== undefined && validTargeted(targeted)) {
    const parsed = new CachePolicy(
      { headers: {} },
      { headers: { 'cache-control': targeted } },
    ) as unknown as PolicyInternals;
    internals._rescc = lowerCaseNames(parsed._rescc);
  }
  policy.bounds = input.bounds;
  if (!policy.storable()) return 'not-storable';
  // Worth keeping only if it can be served fresh, stale, or revalidated (it has a validator).
  if (
    policy.timeToLive() <= 0 &&
    headers.etag === undefined &&
    headers['last-modified'] === undefined
  ) {
    return 'no-freshness';
  }
  return policy;
}
