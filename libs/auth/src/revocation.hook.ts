import { type RequestContext, RequestContextStore } from '@app/core';
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { BffAuthGuard } from './auth.guard';

/** Requests whose own action revoked their credential (logout everywhere): answered as usual. */
const SELF_REVOKED = new WeakSet<RequestContext>();

/** The current request revoked its own credential; its answer is not withheld. */
export function answerDespiteOwnRevocation(): void {
  const ctx = RequestContextStore.current();
  if (ctx !== undefined) SELF_REVOKED.add(ctx);
}

/** Headers of the withheld answer that must not go out with the refusal. */
const ANSWER_HEADERS = [
  'age',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-type',
  'etag',
  'expires',
  'last-modified',
  'link',
  'location',
  'set-cookie',
  'vary',
  'x-cache',
  'x-partial-response',
];

/**
 * In-flight requests honour revocations: a successful answer whose bearer token was revoked while
 * the request ran (a slow downstream, a long aggregate) is withheld and replaced by the same 401
 * TOKEN_REVOKED a new request gets. One local lookup per answer (no Redis round trip); answers
 * already streaming are past this point.
 */
@Injectable()
export class RevocationHook {
  constructor(adapterHost: HttpAdapterHost, guard: BffAuthGuard) {
    const fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook(
      'onSend',
      (request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
        const ctx = request.bffContext;
        const principal = ctx?.principal;
        if (principal === undefined || reply.statusCode >= 400 || SELF_REVOKED.has(ctx)) {
          return done(null, payload);
        }
        const refusal = guard.revokedSinceAdmission(principal, reply);
        if (refusal === undefined) return done(null, payload);
        if (payload instanceof Readable) payload.destroy();
        for (const name of ANSWER_HEADERS) reply.removeHeader(name);
        reply
          .code(refusal.status)
          .header('cache-control', 'no-store')
          .header('content-type', 'application/json; charset=utf-8');
        done(
          null,
          JSON.stringify({
            statusCode: refusal.status,
            error: 'Unauthorized',
            code: refusal.code,
            message: refusal.message,
            requestId: request.bffContext?.requestId,
          }),
        );
      },
    );
  }
}
