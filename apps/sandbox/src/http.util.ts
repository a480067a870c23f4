import type { FastifyError, FastifyInstance } from 'fastify';

/** An error answered as `{ error: code, message }` with its status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string): HttpError =>
  new HttpError(400, 'bad_request', message);
export const notFound = (message: string): HttpError => new HttpError(404, 'not_found', message);
export const conflict = (message: string): HttpError => new HttpError(409, 'conflict', message);

/** Most ids we would accept in one batch call (same ceiling as pageSize). */
export const MAX_BATCH_IDS = 100;

export const PAGE_QUERY_PROPERTIES = {
  page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
} as const;

/** Comma-separated id list, e.g. `ids=usr_0001,usr_0002`. */
export const ID_LIST_SCHEMA = { type: 'string', maxLength: 8000 } as const;

/** Keeps junk out of lookups; well-formed but unknown ids are 404s, not 400s. */
export const ID_SCHEMA = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;

export const SEARCH_SCHEMA = { type: 'string', maxLength: 200 } as const;

export interface PageQuery {
  page: number;
  pageSize: number;
}

export interface Paged<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export function paginate<T>(items: readonly T[], { page, pageSize }: PageQuery): Paged<T> {
  const start = (page - 1) * pageSize;
  return { items: items.slice(start, start + pageSize), page, pageSize, total: items.length };
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const jsonCache = new WeakMap<object, string>();

/**
 * JSON of a value, memoised for frozen (seed) objects so list endpoints only join strings.
 * Mutable objects (orders) are serialised every time.
 */
export function toJson(value: object): string {
  if (!Object.isFrozen(value)) return JSON.stringify(value);
  let json = jsonCache.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    jsonCache.set(value, json);
  }
  return json;
}

export const itemsJson = (items: readonly object[]): string =>
  `{"items":[${items.map(toJson).join(',')}]}`;

/** Same shape as {@link paginate}, built from memoised item JSON. */
export function pageJson(items: readonly object[], { page, pageSize }: PageQuery): string {
  const start = (page - 1) * pageSize;
  const slice = items
    .slice(start, start + pageSize)
    .map(toJson)
    .join(',');
  return `{"items":[${slice}],"page":${page},"pageSize":${pageSize},"total":${items.length}}`;
}

/** Parses `a,b,c` (trimmed, empties and duplicates dropped); undefined when the parameter is absent. */
export function parseIdList(raw: string | undefined, param: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const ids = [...new Set(raw.split(',').map((s) => s.trim()))].filter((s) => s !== '');
  if (ids.length > MAX_BATCH_IDS)
    throw badRequest(`${param} accepts at most ${MAX_BATCH_IDS} ids (got ${ids.length})`);
  return ids;
}

/** Normalised search text, or undefined when the query is absent or blank. */
export function searchTerm(raw: string | undefined): string | undefined {
  const q = raw?.trim().toLowerCase();
  return q === undefined || q === '' ? undefined : q;
}

const CLIENT_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Every error leaves as `{ error, message }`; bad input is a 4xx, never a 500. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    }
    const status = error.statusCode ?? 500;
    if (error.validation !== undefined || (status >= 400 && status < 500)) {
      const code = error.validation !== undefined ? 400 : status;
      return reply
        .code(code)
        .send({ error: CLIENT_ERROR_CODES[code] ?? 'bad_request', message: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: 'internal_error', message: 'Internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `Route ${request.method} ${request.url} not found` }),
  );
}
