import { BadUpstreamResponseError } from '@app/core';
import {
  DownstreamClient,
  type HttpMethod,
  type PassThroughResponse,
  type UpstreamAnswer,
  upstreamAnswerOf,
} from '@app/downstream';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { inCanary, newStickyCookie, stickyIdFrom } from './canary';
import { RouteCache } from './route-cache';
import { type PreparedRequest, RoutePolicies } from './route-policy.service';
import { boundResponse } from './response-bounds';
import { forwardRequestHeaders, forwardResponseHeaders } from './proxy-headers';
import { resolveUpstreamPath } from './proxy-path';
import type { CompiledRoute } from './route-table.types';
import { MethodNotAllowedError, PayloadTooLargeError } from './routing.errors';
import { ORIGINAL_CONTENT_TYPE } from './routing.hooks';

/** Counts streamed bytes and fails the upload once it passes the route's limit. */
class BodyLimit extends Transform {
  exceeded = false;
  private seen = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      this.exceeded = true;
      callback(new PayloadTooLargeError('Request body is too large'));
      return;
    }
    callback(null, chunk);
  }
}

/** Answers up to this size (by their Content-Length) are buffered; larger or unsized ones stream. */
const SMALL_BODY_BYTES = 16 * 1024;

/** undici's response body: read whole by its own consumer, without an async iterator. */
interface BytesBody {
  bytes(): Promise<Uint8Array>;
}

const hasBytes = (body: Readable): body is Readable & BytesBody =>
  typeof (body as Partial<BytesBody>).bytes === 'function';

async function readSmallBody(body: Readable, service: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    if (hasBytes(body)) {
      // The async iterator cost an iterator, an end-of-stream watcher and a promise per chunk
      // (about 2 % of a pass-through profile); undici's consumer collects the chunks directly.
      const bytes = await body.bytes();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    for await (const chunk of body) chunks.push(chunk as Buffer);
  } catch (error) {
    throw new BadUpstreamResponseError(`Downstream ${service} broke off its answer`, service, {
      cause: error,
    });
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** A downstream's 5xx answer, relayed as it came (routes with `upstreamErrors: "relay"`). */
function relayed(answer: UpstreamAnswer): PassThroughResponse {
  const headers = { ...answer.headers };
  delete headers['content-length'];
  delete headers['transfer-encoding'];
  return { status: answer.status, headers, body: Readable.from([answer.body]) };
}

function hasBody(raw: IncomingMessage): boolean {
  const length = raw.headers['content-length'];
  return raw.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Forwards a request of a declarative route to its downstream service. Everything per request is
 * a lookup or a copy: the route was compiled at boot, the pools are the downstream lib's.
 */
@Injectable()
export class RouteProxy {
  constructor(
    private readonly downstream: DownstreamClient,
    // Routes with `cacheTtlSeconds` use it when the app imports BffCacheModule.
    private readonly cache: RouteCache,
    private readonly policies: RoutePolicies,
  ) {}

  async forward(route: CompiledRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const raw = request.raw;
    const method = request.method;
    if (!route.methods.has(method)) {
      reply.header('allow', route.allow);
      throw new MethodNotAllowedError(`${method} is not allowed on this route`);
    }
    const path = resolveUpstreamPath(raw.url ?? '', route);

    const masked = (raw as { [ORIGINAL_CONTENT_TYPE]?: string | null })[ORIGINAL_CONTENT_TYPE];
    const forwarded = (): Record<string, string> =>
      forwardRequestHeaders(raw.headers, {
        clientIp: request.ip,
        host: raw.headers.host,
        protocol: request.protocol,
        contentType: masked === undefined ? raw.headers['content-type'] : (masked ?? undefined),
        policy: this.downstream.headerPolicy,
      });
    const canary = route.canaryPercent > 0 && this.canaryFor(route, request, reply);
    if ((method === 'GET' || method === 'HEAD') && this.cache.isCached(route)) {
      // HEAD is answered from (and fills) the GET entry; a GET body is never forwarded; a hit
      // builds no downstream headers.
      return this.cache.serve(route, request, reply, path, forwarded, async (h) => {
        try {
          const res = await this.downstream.stream(route.service, {
            method: 'GET',
            path,
            headers: h,
            canary,
            keepErrorAnswer: route.relayErrors,
          });
          return boundResponse(route, res, request.bffContext.startedAt);
        } catch (error) {
          // The cache decides about a relayed 5xx like any answer (stale-if-error, not stored).
          const answer = route.relayErrors ? upstreamAnswerOf(error) : undefined;
          if (answer === undefined) throw error;
          return relayed(answer);
        }
      });
    }
    const headers = forwarded();
    const policies = route.policies;
    let prepared: PreparedRequest | undefined;
    if (policies !== undefined) {
      // Authorizer, schemas, request operations: may rewrite the headers, query and body.
      prepared = await this.policies.prepare(route, policies, request, reply, path, headers);
    }

    let body: Readable | undefined;
    let limiter: BodyLimit | undefined;
    if (prepared !== undefined && prepared.body !== undefined) {
      if (prepared.body !== null) body = Readable.from([prepared.body]);
    } else if (method !== 'GET' && method !== 'HEAD' && hasBody(raw)) {
      const declared = Number(raw.headers['content-length']);
      if (declared > route.maxBodyBytes) {
        // Closing beats reading (and discarding) a body we already know we refuse.
        reply.header('connection', 'close');
        throw new PayloadTooLargeError('Request body is too large');
      }
      if (Number.isFinite(declared)) body = raw;
      else {
        // Chunked upload: the size is only known while streaming.
        limiter = new BodyLimit(route.maxBodyBytes);
        body = raw.pipe(limiter);
        raw.once('error', (error) => limiter?.destroy(error));
      }
    }

    let res;
    try {
      res = boundResponse(
        route,
        await this.downstream.stream(route.service, {
          method: method as HttpMethod,
          path: prepared?.path ?? path,
          headers,
          body,
          canary,
          keepErrorAnswer: route.relayErrors,
        }),
        request.bffContext.startedAt,
      );
    } catch (error) {
      // A half-read body leaves the connection in an unknown state: it is closed after the answer.
      if (body !== undefined) reply.header('connection', 'close');
      if (limiter?.exceeded === true) throw new PayloadTooLargeError('Request body is too large');
      const answer = route.relayErrors ? upstreamAnswerOf(error) : undefined;
      if (answer === undefined) throw error;
      res = relayed(answer);
    }
    await this.cache.invalidateAfter(route, request, path, res.status, res.headers);
    const answerHeaders = forwardResponseHeaders(res.headers);
    if (policies?.response !== undefined) {
      const answer = await this.policies.answer(
        route,
        policies.response,
        request,
        res,
        answerHeaders,
      );
      if (answer !== undefined) {
        void reply.status(res.status).headers(answerHeaders).send(answer);
        return;
      }
    }
    reply.status(res.status).headers(answerHeaders);
    const length = Number(res.headers['content-length']);
    if (method !== 'HEAD' && length <= SMALL_BODY_BYTES) {
      // Small sized answers are read whole and written with the head in one go, as nginx's proxy
      // buffering does: one write instead of a chunked stream (measured: fewer syscalls per call).
      const small = await readSmallBody(res.body, route.service);
      void reply.send(small);
      return;
    }
    // Not awaited: the handler is done once the head is out; the body streams on its own (the
    // endpoint deadline covers the wait for the head, bodyTimeout the silences within the body).
    void reply.send(res.body);
  }

  /** Sticky canary choice: the verified subject, else the sticky cookie (set on first visit). */
  private canaryFor(route: CompiledRoute, request: FastifyRequest, reply: FastifyReply): boolean {
    const principal = request.bffContext.principal;
    let key: string | undefined =
      principal === undefined ? undefined : `${principal.kind}:${principal.subject}`;
    if (key === undefined) {
      key = stickyIdFrom(request.headers.cookie);
      if (key === undefined) {
        const sticky = newStickyCookie(request.protocol === 'https');
        reply.header('set-cookie', sticky.cookie);
        key = sticky.id;
      }
    }
    return inCanary(route.settings.name, key, route.canaryPercent);
  }
}
