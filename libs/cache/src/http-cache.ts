import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import type CachePolicy from 'http-cache-semantics';
import type { FastifyReply } from 'fastify';
import { digest, etagMatches } from './cache.keys';
import {
  BoundedPolicy,
  decidePolicy,
  type FreshnessBounds,
  type StoreRefusal,
  varyNames,
} from './http-cache.policy';
import type { HttpEntry, VaryMarker } from './cache.entry';
import { TieredCache } from './tiered.cache';

type Headers = Record<string, string>;
type HeaderBag = Readonly<Record<string, string | string[] | number | undefined>>;

/** Response header telling clients where the body came from: HIT, MISS, STALE, REVALIDATED. */
export const CACHE_STATUS_HEADER = 'x-cache';

/** What the cache knows about a request before going to the origin. */
export type Lookup =
  | { readonly state: 'miss' }
  /** Fresh (or allowed stale by the client): serve it. */
  | { readonly state: 'hit'; readonly entry: HttpEntry }
  /** Stale within stale-while-revalidate: serve it and refresh in the background. */
  | {
      readonly state: 'stale';
      readonly entry: HttpEntry;
      readonly revalidation: Headers;
      readonly vary: readonly string[];
    }
  /** Stored but must be validated first: send `revalidation` (conditional) to the origin. */
  | {
      readonly state: 'revalidate';
      readonly entry: HttpEntry;
      readonly revalidation: Headers;
      /** Request headers the entry varies on (for {@link HttpCache.refresh}). */
      readonly vary: readonly string[];
    };

/** An origin answer offered to the cache. */
export interface OriginAnswer {
  readonly status: number;
  /** End-to-end headers as they will be served (hop-by-hop and internal ones removed). */
  readonly headers: HeaderBag;
  readonly body: Buffer;
}

export interface StoreOptions {
  /** Shared between callers (RFC 9111 shared-cache rules) or one caller's own entry. */
  readonly shared: boolean;
  readonly bounds: FreshnessBounds;
  readonly tags: readonly string[];
  /** Request headers that select a variant besides the answer's own `Vary` (keyed headers). */
  readonly alsoVary?: readonly string[];
}

/** What is served: status, headers and body of a stored answer, ready for a reply. */
export interface Served {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer;
}

/** Headers of the client request that the policy reads (plus the ones named in `Vary`). */
const REQUEST_CACHE_HEADERS = ['cache-control', 'pragma'] as const;
/** Validator-only entries (no freshness) are kept this long at most for revalidation. */
const VALIDATOR_KEEP_SECONDS = 3600;
/** Headers a 304 must not overwrite in the stored answer (they describe the stored body). */
const BODY_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding']);

const bodies = new WeakMap<HttpEntry, Buffer>();
const policies = new WeakMap<HttpEntry, BoundedPolicy>();

function single(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Field values compared for Vary: whitespace around commas and at the ends does not count;
 * language ranges are case-insensitive and their order without q-values does not select
 * anything (RFC 9110 §12.5.4), so `Accept-Language` is lower-cased and sorted.
 */
function normalise(value: string | undefined, name = ''): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().replace(/\s*,\s*/g, ',');
  if (name !== 'accept-language' || text.includes(';')) return text;
  return text.toLowerCase().split(',').sort().join(',');
}

function toHeaders(bag: HeaderBag): Headers {
  const out: Headers = {};
  for (const name in bag) {
    if (name === 'set-cookie') {
      if (bag[name] !== undefined) out[name] = '1';
      continue;
    }
    const value = single(bag[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The body of an entry as bytes (decoded once per entry object). */
function entryBody(entry: HttpEntry): Buffer {
  let body = bodies.get(entry);
  if (body === undefined) {
    body = Buffer.from(entry.body, entry.encoding);
    bodies.set(entry, body);
  }
  return body;
}

function policyOf(entry: HttpEntry): BoundedPolicy {
  let policy = policies.get(entry);
  if (policy === undefined) {
    policy = BoundedPolicy.restore(entry.policy, entry.bounds);
    policies.set(entry, policy);
  }
  return policy;
}

/** True when the client's conditional GET/HEAD is satisfied by these response headers (RFC 9110 §13.2.2). */
export function notModified(
  request: IncomingHttpHeaders,
  response: Readonly<Record<string, string | string[]>>,
): boolean {
  const inm = request['if-none-match'];
  if (inm !== undefined) {
    const etag = single(response.etag);
    return etag !== undefined && etagMatches(inm, etag);
  }
  const ims = request['if-modified-since'];
  // Without Last-Modified, the stored answer's Date is its modification bound (RFC 9110 §13.1.3).
  const lastModified = single(response['last-modified']) ?? single(response.date);
  if (ims === undefined || lastModified === undefined) return false;
  const since = Date.parse(ims);
  const modified = Date.parse(lastModified);
  return Number.isFinite(since) && Number.isFinite(modified) && modified <= since;
}

/**
 * The BFF's HTTP cache (RFC 9111, policy by http-cache-semantics) over the two cache levels: one
 * lookup/store/revalidate/serve API for the pass-through proxy and the response-cache interceptor.
 *
 * Layout: `key` holds an answer, or a Vary marker naming the varied request headers and a
 * generation; each variant then lives at `key#gen:digest(values)`. Invalidating `key` orphans every
 * variant of its generation at once (no scan), and a later store starts a new generation.
 */
@Injectable()
export class HttpCache {
  constructor(readonly store: TieredCache) {}

  get enabled(): boolean {
    return this.store.config.enabled;
  }

  /** The request as the policy sees it: the key as URL, GET, and only the headers that matter. */
  private policyRequest(
    key: string,
    headers: IncomingHttpHeaders,
    vary: readonly string[],
  ): CachePolicy.HttpRequest {
    const out: Headers = {};
    for (const name of REQUEST_CACHE_HEADERS) {
      const value = single(headers[name]);
      if (value !== undefined) out[name] = value;
    }
    for (const name of vary) {
      const value = normalise(single(headers[name]), name);
      if (value !== undefined) out[name] = value;
    }
    // No `authorization`: credentials are verified (or refused) before the cache, and a verified
    // caller's entries are keyed to that caller (private-cache rules, see `StoreOptions.shared`).
    return { url: key, method: 'GET', headers: out };
  }

  /** Finds the stored answer for a GET or HEAD (HEAD is served from the GET entry). */
  async lookup(key: string, headers: IncomingHttpHeaders): Promise<Lookup> {
    const found = await this.find(key, headers);
    if (found === undefined) return { state: 'miss' };
    const { entry, vary } = found;
    const policy = policyOf(entry);
    const result = policy.evaluateRequest(this.policyRequest(key, headers, vary));
    if (result.response !== undefined) {
      if (result.revalidation === undefined) return { state: 'hit', entry };
      return { state: 'stale', entry, revalidation: this.conditional(policy), vary };
    }
    return { state: 'revalidate', entry, revalidation: this.conditional(policy), vary };
  }

  /** Validators of the stored answer, to send to the origin (the client's own are replaced). */
  private conditional(policy: BoundedPolicy): Headers {
    const stored = policy.storedHeaders();
    const out: Headers = {};
    if (stored.etag !== undefined) out['if-none-match'] = stored.etag;
    if (stored['last-modified'] !== undefined) out['if-modified-since'] = stored['last-modified'];
    return out;
  }

  private async find(
    key: string,
    headers: IncomingHttpHeaders,
  ): Promise<{ entry: HttpEntry; vary: readonly string[] } | undefined> {
    const value = await this.store.read(key);
    if (value === undefined) return undefined;
    if (value.kind === 'http') return { entry: value, vary: [] };
    if (value.kind !== 'vary' || value.gen === undefined) return undefined;
    const variant = await this.store.read(this.variantKey(key, value, headers));
    return variant?.kind === 'http' ? { entry: variant, vary: value.vary } : undefined;
  }

  private variantKey(key: string, marker: VaryMarker, headers: HeaderBag): string {
    let values = '';
    for (const n of marker.vary) values += `${n}:${normalise(single(headers[n]), n) ?? '\u0000'}\n`;
    // Short selections are the key as they are (no hash on the hit path); long ones are digested.
    return `${key}#${marker.gen}:${values.length <= 160 ? values : digest(values, 22)}`;
  }

  /**
   * Stores an origin answer to a GET when the policy allows it; returns the entry, or why not.
   * `requestHeaders` are the client's (for Vary and request directives).
   */
  offer(
    key: string,
    requestHeaders: IncomingHttpHeaders,
    answer: OriginAnswer,
    options: StoreOptions,
  ): HttpEntry | StoreRefusal {
    if (answer.body.length > this.store.config.maxEntryBytes) return 'too-large';
    const headers = toHeaders(answer.headers);
    const named = varyNames(headers.vary);
    const vary = Array.isArray(named)
      ? [...new Set([...named, ...(options.alsoVary ?? [])])].sort()
      : named;
    const decided = decidePolicy({
      request: this.policyRequest(key, requestHeaders, Array.isArray(vary) ? vary : []),
      status: answer.status,
      headers,
      shared: options.shared,
      bounds: options.bounds,
    });
    if (typeof decided === 'string') return decided;
    const entry = this.entryFor(decided, answer.body, options.tags, options.bounds);
    this.write(key, entry, decided, Array.isArray(vary) ? vary : [], requestHeaders);
    return entry;
  }

  /**
   * Applies a 304 from the origin to a stored answer (RFC 9111 §4.3.4): its headers replace the
   * stored ones and the entry is fresh again. Undefined when the 304 does not match the entry.
   */
  refresh(
    key: string,
    requestHeaders: IncomingHttpHeaders,
    stored: HttpEntry,
    answer: { status: number; headers: HeaderBag },
    names: readonly string[],
  ): HttpEntry | undefined {
    const policy = policyOf(stored);
    const update = toHeaders(answer.headers);
    for (const name of BODY_HEADERS) delete update[name];
    // The 304 answers a request that carried this entry's validators only: one without a
    // validator of its own can only mean this entry (RFC 9111 §4.3.4 assumes a cache that sent many).
    const storedHeaders = policy.storedHeaders();
    if (update.etag === undefined && update['last-modified'] === undefined) {
      if (storedHeaders.etag !== undefined) update.etag = storedHeaders.etag;
      else if (storedHeaders['last-modified'] !== undefined) {
        update['last-modified'] = storedHeaders['last-modified'];
      }
    }
    const revalidated = policy.revalidatedPolicy(this.policyRequest(key, requestHeaders, names), {
      status: answer.status,
      headers: update,
    });
    if (!revalidated.matches || revalidated.modified) return undefined;
    const next = BoundedPolicy.restore(revalidated.policy.toObject(), stored.bounds);
    const entry = this.entryFor(next, entryBody(stored), stored.tags, stored.bounds);
    if (next.storable()) this.write(key, entry, next, names, requestHeaders);
    return entry;
  }

  /** True while a failed origin may be stood in for by this entry (stale-if-error, RFC 5861). */
  allowsStaleOnError(entry: HttpEntry): boolean {
    return policyOf(entry).allowsStaleOnError();
  }

  /** Drops the answers stored at these keys (all their variants), here and on every instance. */
  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.store.remove(keys);
  }

  /** Status, headers (with `Age`) and body to serve from an entry. */
  served(entry: HttpEntry): Served {
    const policy = policyOf(entry);
    return { status: entry.status, headers: policy.servedHeaders(), body: entryBody(entry) };
  }

  private entryFor(
    policy: BoundedPolicy,
    body: Buffer,
    tags: readonly string[],
    bounds: FreshnessBounds,
  ): HttpEntry {
    const text = policy.storedHeaders()['content-type'] ?? '';
    const utf8 = /json|text|xml|javascript/i.test(text) && isUtf8(body);
    const entry: HttpEntry = {
      kind: 'http',
      status: policy.storedStatus(),
      policy: policy.toObject(),
      bounds,
      body: body.toString(utf8 ? 'utf8' : 'base64'),
      encoding: utf8 ? 'utf8' : 'base64',
      tags,
    };
    bodies.set(entry, body);
    policies.set(entry, policy);
    return entry;
  }

  private write(
    key: string,
    entry: HttpEntry,
    policy: BoundedPolicy,
    vary: readonly string[],
    requestHeaders: HeaderBag,
  ): void {
    const validator = policy.storedHeaders().etag ?? policy.storedHeaders()['last-modified'];
    const keep =
      validator === undefined
        ? 0
        : Math.min(entry.bounds.maxTtlSeconds, VALIDATOR_KEEP_SECONDS) * 1000;
    const ttl = Math.max(policy.timeToLive(), keep);
    if (ttl <= 0) return;
    if (vary.length === 0) {
      this.store.write(key, entry, ttl, entry.tags);
      return;
    }
    const existing = this.store.peek(key);
    const sameVary =
      existing?.kind === 'vary' &&
      existing.gen !== undefined &&
      existing.vary.join(',') === vary.join(',');
    const marker: VaryMarker = sameVary
      ? { ...existing, lifetimeMs: Math.max(existing.lifetimeMs, ttl) }
      : {
          kind: 'vary',
          vary,
          gen: randomBytes(6).toString('base64url'),
          storedAt: Date.now(),
          lifetimeMs: ttl,
        };
    this.store.write(key, marker, marker.lifetimeMs, entry.tags);
    this.store.write(this.variantKey(key, marker, requestHeaders), entry, ttl, entry.tags);
  }
}

function isUtf8(body: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

/** Applies a served answer to a reply; returns the body to send (undefined for 304 and HEAD). */
export function applyServed(
  reply: FastifyReply,
  method: string,
  requestHeaders: IncomingHttpHeaders,
  served: Served,
  state: string,
): Buffer | undefined {
  reply.headers(served.headers).header(CACHE_STATUS_HEADER, state);
  if (served.status === 200 && notModified(requestHeaders, served.headers)) {
    reply.removeHeader('content-length');
    reply.status(304);
    return undefined;
  }
  reply.status(served.status);
  if (method === 'HEAD') return undefined;
  return served.body;
}
