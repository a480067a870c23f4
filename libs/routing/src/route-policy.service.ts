import { BffConfig } from '@app/config';
import { BadUpstreamResponseError, BffError, BodyTooDeepError, jsonDepthExceeds } from '@app/core';
import type { PassThroughResponse } from '@app/downstream';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Json } from './json-pointer';
import { RouteAuthorizer } from './route-authorizer';
import type { CompiledPolicies } from './route-policy.compiler';
import { routePolicyMetrics } from './route-policy.metrics';
import type { CompiledRoute } from './route-table.types';
import {
  type CompiledTransform,
  type TransformContext,
  applyBodyTransform,
  xmlToJson,
} from './route-transform';
import { type RequestPart, type Violation, queryObject } from './route-validate';
import { PayloadTooLargeError } from './routing.errors';

/** The request broke its route's schema; `details` lists the violations (bounded). */
export class RequestValidationError extends BffError {
  readonly status = 400;
  readonly code = 'VALIDATION_FAILED';
}

export class InvalidJsonBodyError extends BffError {
  readonly status = 400;
  readonly code = 'INVALID_JSON';
}

export class UnsupportedMediaTypeError extends BffError {
  readonly status = 415;
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}

/** What {@link RoutePolicies.prepare} decided about the downstream request. */
export interface PreparedRequest {
  /** Downstream path with its (possibly rewritten) query. */
  path: string;
  /** The body to send: undefined = not read (stream the client's), null = none. */
  body: Buffer | null | undefined;
}

/** Violations listed in a 400 at most; the message says when there were more. */
const MAX_VIOLATIONS = 10;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function hasBody(raw: IncomingMessage): boolean {
  const length = raw.headers['content-length'];
  return raw.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

async function readBody(raw: IncomingMessage, limit: number, reply: FastifyReply): Promise<Buffer> {
  if (Number(raw.headers['content-length']) > limit) {
    reply.header('connection', 'close');
    throw new PayloadTooLargeError('Request body is too large');
  }
  const chunks: Buffer[] = [];
  let seen = 0;
  try {
    for await (const chunk of raw) {
      seen += (chunk as Buffer).length;
      if (seen > limit) {
        reply.header('connection', 'close');
        throw new PayloadTooLargeError('Request body is too large');
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof PayloadTooLargeError) throw error;
    throw new InvalidJsonBodyError('The request body could not be read', undefined, {
      cause: error,
    });
  }
  return Buffer.concat(chunks);
}

/** Decoded path segments below the route's prefix (the path was validated by the proxy). */
function segments(url: string, prefix: string): string[] {
  const q = url.indexOf('?');
  const rest = (q === -1 ? url : url.slice(0, q)).slice(prefix.length);
  return rest
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
}

/**
 * Runs a route's declarative policies around the proxy (route-proxy.service.ts): before the call,
 * the authorizer, then the schemas, then the request operations; after it, the answer's
 * operations. Only routes with policies get here; bodies are read whole only where an operation
 * or a schema needs them (bounded at boot by the route's limits).
 */
@Injectable()
export class RoutePolicies {
  private readonly maxDepth: number;

  constructor(
    private readonly authorizer: RouteAuthorizer,
    @Inject(BffConfig) config: BffConfig,
  ) {
    this.maxDepth = config.edge.limits.jsonMaxDepth;
  }

  async prepare(
    route: CompiledRoute,
    policies: CompiledPolicies,
    request: FastifyRequest,
    reply: FastifyReply,
    path: string,
    headers: Record<string, string>,
  ): Promise<PreparedRequest> {
    const name = route.settings.name;
    const raw = request.raw;
    if (policies.authorize !== undefined) {
      const added = await this.authorizer.authorize(
        route,
        policies.authorize,
        request,
        request.url,
      );
      for (const header in added) headers[header] = added[header];
    }
    const q = path.indexOf('?');
    const pathname = q === -1 ? path : path.slice(0, q);
    let query = q === -1 ? '' : path.slice(q);

    const validate = policies.validate;
    const violations: Violation[] = [];
    if (validate?.path !== undefined) {
      violations.push(...(validate.path(segments(request.url, route.prefix)) ?? []));
    }
    if (validate?.query !== undefined) {
      violations.push(...(validate.query(queryObject(new URLSearchParams(query))) ?? []));
    }

    let body: Buffer | null | undefined;
    let doc: Json | undefined;
    if (policies.readsBody) {
      const method = request.method;
      body =
        method === 'GET' || method === 'HEAD' || !hasBody(raw)
          ? null
          : await readBody(raw, route.maxBodyBytes, reply);
      if (body !== null && body.length > 0) {
        if (!JSON_TYPE.test(headers['content-type'] ?? '')) {
          throw new UnsupportedMediaTypeError('This route accepts JSON bodies only');
        }
        // As for the BFF's own JSON bodies: the recursive schema and operations never see a
        // nesting that could overflow the stack.
        if (jsonDepthExceeds(body, this.maxDepth)) throw new BodyTooDeepError(this.maxDepth);
        try {
          doc = JSON.parse(body.toString('utf8')) as Json;
        } catch {
          routePolicyMetrics().validationRejections.labels(name, 'body').inc();
          throw new InvalidJsonBodyError('The request body is not valid JSON');
        }
      }
      if (validate?.body !== undefined) {
        if (doc !== undefined) violations.push(...(validate.body(doc) ?? []));
        else if (BODY_METHODS.has(request.method)) {
          // A GET or DELETE of the same route carries no body; a POST, PUT or PATCH must.
          violations.push({ in: 'body', path: '', message: 'a JSON body is required' });
        }
      }
    }
    if (violations.length > 0) throw this.rejected(name, violations);

    const transform = policies.request;
    if (transform !== undefined) {
      const ctx = this.context(request);
      for (const op of transform.headers) op(headers, ctx);
      if (transform.query.length > 0) {
        const params = new URLSearchParams(query);
        for (const op of transform.query) op(params, ctx);
        const text = params.toString();
        query = text === '' ? '' : `?${text}`;
      }
      if (transform.body.length > 0 && doc !== undefined) {
        let out: Json;
        try {
          out = applyBodyTransform(transform, doc, ctx);
        } catch (error) {
          routePolicyMetrics().transformErrors.labels(name, 'request').inc();
          throw new InvalidJsonBodyError('The request body could not be transformed', undefined, {
            cause: error,
          });
        }
        body = Buffer.from(JSON.stringify(out));
        headers['content-type'] = 'application/json';
      }
    }
    if (body !== undefined && body !== null) headers['content-length'] = String(body.length);
    // Answers are read and rewritten here: they must come uncompressed.
    if (policies.readsAnswer) headers['accept-encoding'] = 'identity';
    return { path: pathname + query, body };
  }

  /**
   * Applies the response operations: headers always (in place), the body only to a whole 2xx
   * answer in JSON (or XML with `body.xml`). Returns the new body, or undefined to stream the
   * downstream's own.
   */
  async answer(
    route: CompiledRoute,
    transform: CompiledTransform,
    request: FastifyRequest,
    res: PassThroughResponse,
    headers: Record<string, string | string[]>,
  ): Promise<Buffer | undefined> {
    const ctx = this.context(request);
    for (const op of transform.headers) op(headers, ctx);
    // The GET answer would be rewritten: its length is not the downstream's.
    if (request.method === 'HEAD' && (transform.body.length > 0 || transform.xml)) {
      delete headers['content-length'];
    }
    const type = String(res.headers['content-type'] ?? '');
    if (
      (transform.body.length === 0 && !transform.xml) ||
      request.method === 'HEAD' ||
      res.status < 200 ||
      res.status >= 300 ||
      res.status === 204 ||
      (!transform.xml && !JSON_TYPE.test(type))
    ) {
      return undefined;
    }
    const encoding = res.headers['content-encoding'];
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res.body) chunks.push(chunk as Buffer);
    } catch (error) {
      throw new BadUpstreamResponseError(
        `Downstream ${route.service} broke off its answer`,
        route.service,
        { cause: error },
      );
    }
    let out: Buffer;
    try {
      if (encoding !== undefined && encoding !== 'identity') {
        throw new Error(`compressed answer (${String(encoding)})`);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const doc = transform.xml ? xmlToJson(text) : (JSON.parse(text) as Json);
      out = Buffer.from(JSON.stringify(applyBodyTransform(transform, doc, ctx) ?? null));
    } catch (error) {
      routePolicyMetrics().transformErrors.labels(route.settings.name, 'response').inc();
      throw new BadUpstreamResponseError(
        `Downstream ${route.service} answer could not be transformed`,
        route.service,
        { cause: error },
      );
    }
    delete headers['content-length'];
    delete headers['content-encoding'];
    delete headers.etag;
    headers['content-type'] = 'application/json; charset=utf-8';
    return out;
  }

  private context(request: FastifyRequest): TransformContext {
    const ctx = request.bffContext;
    return { principal: ctx.principal, requestId: ctx.requestId, ip: request.ip, now: new Date() };
  }

  private rejected(route: string, violations: readonly Violation[]): RequestValidationError {
    const parts = new Set<RequestPart>(violations.map((v) => v.in));
    const counter = routePolicyMetrics().validationRejections;
    for (const part of parts) counter.labels(route, part).inc();
    const error = new RequestValidationError(
      `The request does not match the route's schema (${violations.length > MAX_VIOLATIONS ? `more than ${MAX_VIOLATIONS}` : violations.length} violation${violations.length === 1 ? '' : 's'})`,
    );
    // Bounded: a huge body breaking every rule still gets a short answer.
    error.details = violations.slice(0, MAX_VIOLATIONS);
    return error;
  }
}
