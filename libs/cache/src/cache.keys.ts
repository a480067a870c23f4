import { createHash } from 'node:crypto';

type Params = Readonly<Record<string, unknown>>;
type Query = Readonly<Record<string, unknown>> | undefined;
type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

const TOKEN = /:([A-Za-z0-9_]+)(\([^)]*\))?\??/g;
/** Segments that mean something else to some layer (dot segments, dot-suffixed, empty). */
const AMBIGUOUS_SEGMENT = /^$|^\.+$|\.$|[\\\0]/;

function encodeSegment(value: string): string | undefined {
  if (AMBIGUOUS_SEGMENT.test(value) || value.includes('/')) return undefined;
  return encodeURIComponent(value);
}

function encodeWildcard(value: string): string | undefined {
  const out: string[] = [];
  for (const segment of value.split('/')) {
    const encoded = encodeSegment(segment);
    if (encoded === undefined) return undefined;
    out.push(encoded);
  }
  return out.join('/');
}

const builders = new Map<string, (params: Params) => string | undefined>();

/**
 * The canonical path of a request, rebuilt from the pattern of the route that handled it and its
 * decoded parameters, each re-encoded one way. Whatever spelling reached the handler (`%70rd`,
 * `//`, `..%2f`, a trailing dot), the key names what the handler was asked, so a crafted URL can
 * only match the entry of the very same handler input. Parameters that could be read differently
 * by another layer (dot segments, empty segments, a trailing dot, a slash in a parameter) make the
 * request uncacheable: undefined.
 */
export function canonicalPath(routePattern: string, params: Params): string | undefined {
  let build = builders.get(routePattern);
  if (build === undefined) {
    const parts = routePattern.split('/').map((segment) => {
      if (segment === '*') {
        return (p: Params) => (typeof p['*'] === 'string' ? encodeWildcard(p['*']) : undefined);
      }
      if (!segment.includes(':')) return () => segment;
      return (p: Params) => {
        let failed = false;
        const text = segment.replace(TOKEN, (_match, name: string) => {
          const value = p[name];
          const encoded = typeof value === 'string' ? encodeSegment(value) : undefined;
          if (encoded === undefined) failed = true;
          return encoded ?? '';
        });
        return failed ? undefined : text;
      };
    });
    build = (p) => {
      const out: string[] = [];
      for (const part of parts) {
        const s = part(p);
        if (s === undefined) return undefined;
        out.push(s);
      }
      return out.join('/');
    };
    builders.set(routePattern, build);
  }
  return build(params);
}

/**
 * The query as one canonical string: names sorted, repeated values kept in order, everything
 * percent-encoded the same way. With `only`, a query naming anything else gives undefined (not
 * cacheable: the handler's validation decides about it, and `?x=1..n` cannot flood the cache).
 */
export function canonicalQuery(query: Query, only?: readonly string[]): string | undefined {
  if (query === undefined || query === null) return '';
  const names = Object.keys(query)
    .filter((n) => query[n] !== undefined)
    .sort();
  if (only !== undefined && names.some((n) => !only.includes(n))) return undefined;
  const out: string[] = [];
  for (const name of names) {
    const value = query[name];
    const values = Array.isArray(value) ? value : [value];
    for (const v of values)
      out.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(v))}`);
  }
  return out.join('&');
}

/** Sorts the query string of a downstream path (`/p?b=2&a=1` -> `/p?a=1&b=2`). */
export function canonicalDownstreamPath(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const params = new URLSearchParams(path.slice(q + 1));
  params.sort();
  const s = params.toString();
  return s === '' ? path.slice(0, q) : `${path.slice(0, q)}?${s}`;
}

/** Short, stable digest (base64url sha256) used for subjects and variants inside keys. */
export function digest(value: string, length = 22): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, length);
}

/** Key scope of a verified caller's own entries: a digest of who it is (never shared). */
export function callerScope(principal: {
  readonly kind: string;
  readonly subject: string;
  readonly orgId?: string;
}): string {
  return `u:${digest(`${principal.kind}\n${principal.subject}\n${principal.orgId ?? ''}`)}`;
}

/** Strong ETag of a body: base64url sha1, quoted. */
export function strongEtag(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** `If-None-Match` matching (weak comparison, as RFC 9110 requires for this header). */
export function etagMatches(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const text = Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch;
  if (text.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const candidate of text.split(',')) {
    const c = candidate.trim();
    if ((c.startsWith('W/') ? c.slice(2) : c) === opaque) return true;
  }
  return false;
}

/** Request headers that carry credentials: content behind them is never shared by default. */
export const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'x-api-key'] as const;

export function hasCredentials(headers: HeaderBag): boolean {
  for (const name of CREDENTIAL_HEADERS) if (headers[name] !== undefined) return true;
  return false;
}

/**
 * Lower-case, sorted request header names a response varies on, as far as the stored entry is
 * concerned. Dropped: `Accept-Encoding` (stored bodies are uncompressed; compression is applied
 * per client on the way out) and `Origin` (it only selects CORS headers, which the CORS layer
 * computes for every request, cached or not; the stored body never depends on it).
 * Returns `'*'` for `Vary: *` (never stored).
 */
const PER_REQUEST_VARY = new Set(['accept-encoding', 'origin']);

export function varyHeaders(vary: string | string[] | number | undefined): string[] | '*' {
  if (vary === undefined) return [];
  const text = Array.isArray(vary) ? vary.join(',') : String(vary);
  const names = new Set<string>();
  for (const raw of text.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '*') return '*';
    if (name !== '' && !PER_REQUEST_VARY.has(name)) names.add(name);
  }
  return [...names].sort();
}

/** The part of a key that selects one variant: a digest of the varied request headers' values. */
export function variantKey(vary: readonly string[], headers: HeaderBag): string {
  const values = vary.map((name) => {
    const v = headers[name];
    return `${name}:${Array.isArray(v) ? v.join(',') : (v ?? '')}`;
  });
  return digest(values.join('\n'), 16);
}
