/**
 * # Reflecting origin (test double)
 *
 * An HTTP origin on an ephemeral port that answers every request with
 * `200 application/json {"path","method","headers","body"}`: the request target, method, headers
 * and body exactly as it received them. Put it behind a cached pass-through route to see what
 * reached the origin (e.g. whether a client's `Host` arrived as `X-Forwarded-Host`) and, through
 * a later clean client, whether that answer was shared from the cache (poisoning).
 *
 * - **Per-path answers**: `respond(path, { status, headers, body })` sets the status and response
 *   headers of one path (`cache-control`, `vary`, `etag`, `last-modified`, `expires`, ...); `'*'`
 *   applies to every path without its own answer. `body` replaces the reflected JSON.
 * - **Hits**: `hits(path)` counts the requests the origin received for a path (its pathname; pass
 *   a `?query` to count that exact target), 304s included. Each answer also carries
 *   `x-origin-hits: <n>` (that pathname's count so far), so a test can tell a cached answer (an
 *   old count) from a fresh one.
 * - **Conditional requests**: a GET/HEAD whose `If-None-Match` matches the path's configured
 *   `etag` (weak comparison, `*` included) gets `304` with the path's headers and no body; without
 *   `If-None-Match`, an `If-Modified-Since` at or after its configured `last-modified` does too.
 * - **Requests**: `requests` lists everything received, in order, with the status answered;
 *   `last(path)` is the latest one for a path. `reset()` forgets requests and answers.
 * - `close()` drops keep-alive connections and stops the server.
 *
 * ```ts
 * const origin = await startReflectingOrigin();
 * origin.respond('/items', { headers: { 'cache-control': 'public, max-age=60', etag: '"v1"' } });
 * // ... DOWNSTREAM_ORIGIN_URL: origin.url, a route with cacheTtlSeconds in front of it ...
 * expect(origin.last('/items')?.headers['x-forwarded-host']).toBe('bff.example');
 * expect(origin.hits('/items')).toBe(1);
 * await origin.close();
 * ```
 */
import type {
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from 'node:http';
import { serveDouble } from './downstream-doubles';

/** What the origin answers on one path. */
export interface OriginAnswer {
  /** Status of a non-conditional answer (default 200). */
  status?: number;
  /** Response headers, e.g. `cache-control`, `vary`, `etag`, `last-modified`, `set-cookie`. */
  headers?: OutgoingHttpHeaders;
  /** Body sent instead of the reflected JSON (same for every request). */
  body?: string;
}

/** The reflected JSON body: one request as the origin received it. */
export interface Reflection {
  /** Request target as received: pathname and query string. */
  path: string;
  method: string;
  /** Header names lower-cased by Node.js; repeated headers joined as Node.js does. */
  headers: IncomingHttpHeaders;
  /** Request body as UTF-8 text (`''` when there was none). */
  body: string;
}

/** A received request and the status the origin answered it with. */
export interface ReceivedRequest extends Reflection {
  status: number;
}

export interface ReflectingOrigin {
  /** Base URL, e.g. `http://127.0.0.1:41234` (for `DOWNSTREAM_<NAME>_URL`). */
  readonly url: string;
  /** Every request received, oldest first. */
  readonly requests: readonly ReceivedRequest[];
  /** Sets the answer of a pathname (no query), or of every other path with `'*'`. */
  respond(path: string, answer: OriginAnswer): void;
  /** Requests received for a pathname, or for an exact target when `path` has a `?query`. */
  hits(path: string): number;
  /** The latest request for a pathname (or exact target), or the latest of all without `path`. */
  last(path?: string): ReceivedRequest | undefined;
  /** Forgets every request and answer. */
  reset(): void;
  close(): Promise<void>;
}

/** Header carrying the count of requests received so far for the answer's pathname. */
export const ORIGIN_HITS_HEADER = 'x-origin-hits';

const pathnameOf = (target: string): string => target.split('?')[0];

const headerValue = (headers: OutgoingHttpHeaders, name: string): string | undefined => {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return value === undefined ? undefined : String(value);
};

/** Weak comparison of entity tags (RFC 9110 §8.8.3.2): `W/` is ignored on both sides. */
function noneMatch(ifNoneMatch: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const candidates = ifNoneMatch.split(',').map((t) => t.trim());
  return candidates.includes('*') || candidates.some((t) => opaque(t) === opaque(etag));
}

/** Whether a GET/HEAD may be answered 304 (RFC 9110 §13.2.2: If-None-Match takes precedence). */
function notModified(req: IncomingMessage, headers: OutgoingHttpHeaders): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const etag = headerValue(headers, 'etag');
    return etag !== undefined && noneMatch(ifNoneMatch, etag);
  }
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  const modified = Date.parse(headerValue(headers, 'last-modified') ?? '');
  return Number.isFinite(since) && Number.isFinite(modified) && modified <= since;
}

/** Starts a reflecting origin on an ephemeral port of 127.0.0.1. */
export async function startReflectingOrigin(): Promise<ReflectingOrigin> {
  const requests: ReceivedRequest[] = [];
  const answers = new Map<string, OriginAnswer>();
  const countFor = (path: string): number =>
    requests.filter((r) => (path.includes('?') ? r.path : pathnameOf(r.path)) === path).length;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined);
    req.on('end', () => {
      const target = req.url ?? '/';
      const pathname = pathnameOf(target);
      const answer = answers.get(pathname) ?? answers.get('*') ?? {};
      const headers: OutgoingHttpHeaders = { ...answer.headers };
      const reflection: Reflection = {
        path: target,
        method: req.method ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const status = notModified(req, headers) ? 304 : (answer.status ?? 200);
      requests.push({ ...reflection, status });
      headers[ORIGIN_HITS_HEADER] = String(countFor(pathname));
      if (status === 304 || status === 204) {
        res.writeHead(status, headers).end();
        return;
      }
      const body = answer.body ?? JSON.stringify(reflection);
      if (headerValue(headers, 'content-type') === undefined) {
        headers['content-type'] = 'application/json';
      }
      headers['content-length'] = Buffer.byteLength(body);
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  };

  const { url, close } = await serveDouble(handle);
  return {
    url,
    requests,
    respond: (path, answer) => {
      answers.set(path, answer);
    },
    hits: countFor,
    last: (path) =>
      requests.findLast(
        (r) => path === undefined || (path.includes('?') ? r.path : pathnameOf(r.path)) === path,
      ),
    reset: () => {
      requests.length = 0;
      answers.clear();
    },
    close,
  };
}
