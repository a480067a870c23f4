import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mapError, sendError } from './bff-exception.filter';
import { DeadlineExceededError } from './bff.errors';
import { DEADLINE_ROUTE_CONFIG, type RouteDeadlineConfig } from './deadline.decorator';

export const DEADLINE_MESSAGE = 'The endpoint deadline was exceeded';

const TIMER = Symbol('bff.deadlineTimer');

interface WithTimer {
  [TIMER]?: NodeJS.Timeout;
}

const logger = new Logger('Deadline');

/** Answers 504 if nothing has been answered yet; the work still pending is left to finish unseen. */
function expire(request: FastifyRequest, reply: FastifyReply): void {
  (request as WithTimer)[TIMER] = undefined;
  if (reply.sent || reply.raw.headersSent) return;
  const requestId = request.bffContext?.requestId;
  logger.warn(
    `${request.method} ${request.url} -> 504 DEADLINE_EXCEEDED: no answer within the deadline [${requestId}]`,
  );
  sendError(reply, mapError(new DeadlineExceededError(DEADLINE_MESSAGE)), requestId);
}

/**
 * Stops the deadline timer of the phases before the handler (the request-context interceptor then
 * enforces what is left, or the answer is on its way). Native routes (the routing lib's) keep it
 * armed through their handler.
 */
export function disarmDeadline(request: object): void {
  const timer = (request as WithTimer)[TIMER];
  if (timer !== undefined) {
    clearTimeout(timer);
    (request as WithTimer)[TIMER] = undefined;
  }
}

/**
 * The endpoint deadline before the handler. The budget counts from the request's arrival (the
 * request context's `startedAt`); once the body is read (`preValidation`: pass-through bodies are
 * not read here, slow uploads are the server's request timeout's business) a timer is armed for
 * what is left of it, so a session lookup, a guard (JWKS, API-key store, rate-limit store) or an
 * interceptor that hangs gets a 504 at the deadline and the handler never starts. The route's own
 * budget applies: `@Deadline(ms)` (carried in the Fastify route config) or a pass-through route's
 * `timeoutMs` (set by the routing lib before this hook). The request-context interceptor takes over
 * when the handler starts; any answer disarms the timer.
 */
export function installDeadline(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (request, reply, done) => {
    const ctx = request.bffContext;
    if (ctx === null || ctx === undefined) return done();
    const ms = (request.routeOptions.config as RouteDeadlineConfig | undefined)?.[
      DEADLINE_ROUTE_CONFIG
    ];
    if (ms !== undefined) ctx.deadlineAt = ctx.startedAt + ms;
    const left = ctx.deadlineAt - performance.now();
    if (left <= 0) return done(new DeadlineExceededError(DEADLINE_MESSAGE));
    // Whole milliseconds: Node keeps one timer list per distinct duration, so a fractional one
    // made a list (and a priority-queue insert) per request; rounded up, requests share a list.
    (request as WithTimer)[TIMER] = setTimeout(expire, Math.ceil(left), request, reply);
    done();
  });
  fastify.addHook('onSend', (request, _reply, payload, done) => {
    disarmDeadline(request);
    done(null, payload);
  });
}
